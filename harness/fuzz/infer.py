"""The message model of a server, inferred from its corpus (pure functions on transcripts).

From the client frames: the discriminating field, the message kinds, per kind its keys, how often
each is present and the values that got a success reply (array elements apart, so that an array
can hold several valid values). From the replies: which request key they echo, the error shape,
and which kinds' replies issue the values (`<issued:...>` references) that later requests use.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness.fuzz.correlation import Correlation, error_mark, id_pair
from harness.fuzz.exchanges import Exchange, exchanges
from harness.fuzz.issuers import issuers, rotated
from harness.fuzz.shapes import discriminator
from harness.issued import ISSUED_RE
from harness.redact import PASSWORD
from harness.transcript import Transcript

MAX_VALUES = 24  # distinct values kept per field
MAX_TEMPLATES = 12  # successful requests kept per kind
MAX_JUNK = 40
MAX_JUNK_LENGTH = 512
MAX_VALUE_LENGTH = 2048  # longer values (the corpus's size probes) are not drawn again
MIN_REQUESTS = 2  # a kind sent once is a probe of the corpus, not part of the model
USUAL = 0.5  # a key present in half of a kind's requests is one of its usual keys


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _weighted(values: list[Any], limit: int) -> tuple[tuple[Any, int], ...]:
    """Distinct values with their counts, most common first, at most `limit`."""
    counts = Counter(k for k in map(_key, values) if len(k) <= MAX_VALUE_LENGTH)
    return tuple((json.loads(k), n) for k, n in counts.most_common(limit))


def _distinct(values: list[Any], limit: int) -> tuple[Any, ...]:
    """Distinct values, most common first, at most `limit`."""
    return tuple(value for value, _ in _weighted(values, limit))


@dataclass(frozen=True)
class Field:
    """One key of a message kind."""

    name: str
    presence: float
    values: tuple[Any, ...] = ()
    elements: tuple[Any, ...] = ()
    issued: str | None = None


@dataclass(frozen=True)
class Kind:
    """A message kind: its fields and the requests of it that succeeded (templates)."""

    name: str
    requests: int
    fields: dict[str, Field]
    templates: tuple[dict[str, Any], ...]
    settings: tuple[tuple[dict[str, Any], int], ...] = (({}, 1),)  # where it succeeded, with counts


@dataclass(frozen=True)
class MessageModel:
    """Everything the generator draws from."""

    key: str
    kinds: dict[str, Kind]
    correlation: Correlation = Correlation()
    credentials: tuple[dict[str, Any], ...] = ()
    issuers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rotated: frozenset[str] = frozenset()
    headers: tuple[dict[str, str], ...] = ()
    junk: tuple[str, ...] = ()


def _kind_of(exchange: Exchange, key: str) -> str | None:
    value = (exchange.request or {}).get(key)
    return value if isinstance(value, str) else None


def _issued_field(values: list[Any]) -> str | None:
    """The issued-value name that most of `values` refer to, if most of them are references."""
    names = Counter(m.group(2) for v in values if isinstance(v, str) for m in [ISSUED_RE.fullmatch(v)] if m)
    if not names or sum(names.values()) * 2 < len(values):
        return None
    return names.most_common(1)[0][0]


def _field(name: str, sent: list[dict], valid: list[dict]) -> Field:
    values = [obj[name] for obj in valid if name in obj]
    elements = [item for v in values if isinstance(v, list) for item in v]
    every = [obj[name] for obj in sent if name in obj]
    return Field(name, len(every) / len(sent), _distinct(values, MAX_VALUES),
                 _distinct(elements, MAX_VALUES), _issued_field(values) or _issued_field(every))


def _kind(name: str, sent: list[dict], valid: list[Exchange], skip: set[str]) -> Kind:
    keys = dict.fromkeys(k for obj in sent for k in obj if k not in skip)
    requests = [e.request for e in valid]
    fields = {k: _field(k, sent, requests) for k in keys}
    settings = _weighted([e.settings for e in valid], MAX_TEMPLATES)
    return Kind(name, len(sent), fields, _distinct(requests, MAX_TEMPLATES), settings)


def _kinds(objects: list[Exchange], key: str, correlation: Correlation) -> dict[str, Kind]:
    """Kinds with at least one success reply (any kind seen twice, without an error shape)."""
    sent: dict[str, list[dict]] = {}
    valid: dict[str, list[Exchange]] = {}
    for exchange in objects:
        name = _kind_of(exchange, key)
        sent.setdefault(name, []).append(exchange.request)
        if correlation.succeeded(exchange.request, exchange.replies):
            valid.setdefault(name, []).append(exchange)
    real = {n for n in valid if len(sent[n]) >= MIN_REQUESTS}
    skip = {key, correlation.request_key}
    return {n: _kind(n, sent[n], valid[n], skip) for n in sorted(real)}


def _credentials(objects: list[Exchange], correlation: Correlation, kinds: dict[str, Kind],
                 key: str) -> tuple[dict, ...]:
    """Successful requests of known kinds that carry a redacted secret (they authorise), with
    their kind's usual keys only."""
    found = [_usual(e.request, kinds[_kind_of(e, key)], key) for e in objects
             if PASSWORD in e.text and _kind_of(e, key) in kinds
             and correlation.succeeded(e.request, e.replies)]
    return tuple(c for c in _distinct(found, MAX_TEMPLATES) if PASSWORD in _key(c))


def _usual(request: dict[str, Any], kind: Kind, key: str) -> dict[str, Any]:
    return {k: v for k, v in request.items()
            if k == key or (k in kind.fields and kind.fields[k].presence >= USUAL)}


def _headers(transcripts: list[Transcript]) -> tuple[dict[str, str], ...]:
    """Connect header sets of the corpus that replay can restore (issued references only)."""
    sets = [e.headers for t in transcripts for e in t.events
            if e.kind == "connect" and e.headers and "<redacted:" not in _key(e.headers)]
    return _distinct(sets, MAX_TEMPLATES)


def _junk(all_sent: list[Exchange], key: str, kinds: dict[str, Kind]) -> tuple[str, ...]:
    texts = [e.text for e in all_sent if _kind_of(e, key) not in kinds and len(e.text) <= MAX_JUNK_LENGTH]
    return tuple(dict.fromkeys(texts))[:MAX_JUNK]


def infer_model(transcripts: list[Transcript]) -> MessageModel | None:
    """The message model of the corpus; None when its client frames hold no JSON objects."""
    sent = [e for t in transcripts for e in exchanges(t)]
    key = discriminator(e.request for e in sent if e.request is not None)
    return None if key is None else _model(transcripts, sent, key)


def _model(transcripts: list[Transcript], sent: list[Exchange], key: str) -> MessageModel:
    objects = [e for e in sent if _kind_of(e, key) is not None]
    junk = [e for e in sent if _kind_of(e, key) is None]
    answered = [e for e in objects if e.replies]
    correlation = Correlation(*id_pair(answered, key), error_mark(junk, objects))
    kinds = _kinds(objects, key, correlation)
    return MessageModel(
        key, kinds, correlation, _credentials(objects, correlation, kinds, key),
        issuers(transcripts, correlation, key), rotated(transcripts, correlation),
        _headers(transcripts), _junk(sent, key, kinds))
