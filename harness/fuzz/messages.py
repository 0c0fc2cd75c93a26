"""Generated requests: every message type with well-formed and malformed fields, raw junk frames."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import strategies as st

from harness.fuzz import values as v


@dataclass(frozen=True)
class Ref:
    """A field holding a server-issued value (resolved against the session's clients)."""

    field: str


_ID = {"session_id": Ref("session_id")}
_COLLECTION = {"collection_id": Ref("collection_id")}
_ACTIVATION = {"strategy_name": v.STRATEGY, "symbol": v.SYMBOL}

# message type -> optional fields (a missing required field is one of the malformed cases)
MESSAGE_FIELDS: dict[str, dict] = {
    "ping": {}, "heartbeat": {}, "version": {}, "capabilities": {}, "server_time": {},
    "handshake": {"client_version": st.just("1.0")},
    "echo": {"data": st.one_of(v.JUNK, st.just({"x": [1, 2.5, "\u00e9"]}))},
    "command": {"command": v.COMMAND},
    "auth": {"token": Ref("access_token"), "username": v.USER},
    "login": {"username": v.USER, "password": v.JUNK},
    "logout": {},
    "refresh_token": {"refresh_token": Ref("refresh_token")},
    "reconnect": {"reconnect_token": Ref("reconnect_token")},
    "subscribe": {"stream": v.STREAM, "symbols": v.SYMBOL_LIST},
    "unsubscribe": {"stream": v.STREAM},
    "session_start": {"session_type": st.one_of(st.sampled_from(v.SESSION_TYPES + ("LIVE", "demo")), v.JUNK),
                      "strategy_config": v.SESSION_STRATEGIES, "config": v.RUN_CONFIG,
                      "idempotent": st.one_of(st.booleans(), v.JUNK)},
    "session_stop": _ID, "session_status": _ID,
    "collection_start": {"symbols": v.SYMBOL_LIST, "duration": v.DURATION,
                         "strategies": st.one_of(st.lists(v.STRATEGY, max_size=2), v.JUNK)},
    "collection_stop": _COLLECTION, "collection_status": _COLLECTION, "results_request": _COLLECTION,
    "get_strategies": {},
    "activate_strategy": {**_ACTIVATION, "config": v.STRATEGY_CONFIG},
    "deactivate_strategy": _ACTIVATION,
    "strategy_status": {"strategy_name": v.STRATEGY},
    "validate_strategy_config": {"strategy_name": v.STRATEGY, "config": v.STRATEGY_CONFIG},
    "upsert_strategy": {"strategy_name": v.STRATEGY, "config": v.STRATEGY_CONFIG},
}
MESSAGE_TYPES = tuple(MESSAGE_FIELDS)

# Frames that never reach a handler: bad JSON, non-objects, bad or unknown `type`.
RAW_FRAMES = (
    '{"type": "ping"', "[]", '"ping"', "NaN", '{"type": NaN}', '{"id": 3}', '{"type": 5, "id": 1}',
    '{"type": null}', '{"type": "teleport", "id": 2}', '{"type": "PING", "id": "a"}',
    '{"type": "ping", "n": 1e400}',
)


def _resolve(spec, clients: list[str]) -> st.SearchStrategy:
    if not isinstance(spec, Ref):
        return spec
    return v.issued(clients if spec.field not in UNREFERENCED else [], spec.field)


_ABSENT = object()
# Fields never filled with a real issued value (a second use of a reconnect token is a waived
# legacy quirk; the reconnect rules use each token once).
UNREFERENCED = frozenset({"reconnect_token"})


def _mostly_present(value: st.SearchStrategy) -> st.SearchStrategy:
    """The field three times in four, absent otherwise (shrinks towards present)."""
    return st.one_of(value, value, value, st.just(_ABSENT))


def message(kind: str, clients: list[str]) -> st.SearchStrategy:
    """A request object of type `kind`; each field well-formed, malformed or absent."""
    fields = {name: _mostly_present(_resolve(spec, clients))
              for name, spec in MESSAGE_FIELDS[kind].items()}
    request = st.fixed_dictionaries({"type": st.just(kind), **fields}, optional={"id": v.REQUEST_ID})
    return request.map(lambda obj: {k: x for k, x in obj.items() if x is not _ABSENT})


def encode(obj: dict) -> str:
    """The frame text of a request (compact JSON, non-ASCII kept)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
