"""Validation rules of `wsgm/1` lines: field types per kind and the client life cycle."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from harness.errors import TranscriptError

_NUM = (int, float)
_STR = (str,)
_INT = (int,)
_DICT = (dict,)
_LIST = (list,)
COMPRESSIONS = ("deflate", "none")  # what a connecting client offers; absent means "deflate"

# kind -> {field: (accepted types, required)}
_COMMON = {"kind": (_STR, True), "client": (_STR, True), "t": (_NUM, False)}
_FRAME = {**_COMMON, "text": (_STR, False), "binary": (_STR, False)}
EVENT_FIELDS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "connect": {**_COMMON, "headers": (_DICT, False), "path": (_STR, False), "compression": (_STR, False)},
    "send": _FRAME,
    "recv": _FRAME,
    "close": {**_COMMON, "code": (_INT, False), "reason": (_STR, False)},
    "closed": {**_COMMON, "code": (_INT + (type(None),), False), "reason": (_STR, False)},
    "sleep": {"kind": (_STR, True), "t": (_NUM, False), "ms": (_NUM, True), "client": (_STR, False)},
}
META_FIELDS = {
    "kind": (_STR, True),
    "format": (_STR, True),
    "name": (_STR, True),
    "recorded_at": (_STR, False),
    "recorded_against": (_STR, False),
    "tags": (_LIST, False),
    "settings": (_DICT + (type(None),), False),
}


def _type_names(types: tuple[type, ...]) -> str:
    names = {
        int: "integer",
        float: "number",
        str: "string",
        dict: "object",
        list: "array",
        type(None): "null",
    }
    return " or ".join(names[t] for t in types)


def check_fields(path: str, line: int, obj: dict[str, Any], spec: dict) -> None:
    """Unknown fields, missing required fields and wrong types raise TranscriptError."""
    for key in obj:
        if key not in spec:
            raise TranscriptError(path, line, f"unknown field {key!r} for kind {obj['kind']!r}")
    for key, (types, required) in spec.items():
        if key not in obj:
            if required:
                raise TranscriptError(path, line, f"missing field {key!r}")
            continue
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, types):
            raise TranscriptError(path, line, f"field {key!r} must be {_type_names(types)}")


def check_meta_fields(path: str, line: int, obj: dict[str, Any]) -> None:
    """The meta line: known fields, format wsgm/1, tags a list of strings."""
    check_fields(path, line, obj, META_FIELDS)
    if obj["format"] != "wsgm/1":
        raise TranscriptError(path, line, f"unsupported format {obj['format']!r} (want 'wsgm/1')")
    if not all(isinstance(tag, str) for tag in obj.get("tags", ())):
        raise TranscriptError(path, line, "field 'tags' must be an array of strings")


def check_event_fields(path: str, line: int, obj: dict[str, Any]) -> None:
    """An event line: a known kind with well-typed fields and one frame payload."""
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_FIELDS:
        raise TranscriptError(path, line, f"unknown kind {kind!r}")
    check_fields(path, line, obj, EVENT_FIELDS[kind])
    if kind in ("send", "recv"):
        _check_payload(path, line, obj)
    if kind == "connect":
        _check_headers(path, line, obj.get("headers") or {})
        if not obj.get("path", "/").startswith("/"):
            raise TranscriptError(path, line, "field 'path' must start with '/'")
        if obj.get("compression", "deflate") not in COMPRESSIONS:
            raise TranscriptError(path, line, f"field 'compression' must be one of {', '.join(COMPRESSIONS)}")
    if kind == "sleep" and obj["ms"] < 0:
        raise TranscriptError(path, line, "field 'ms' must not be negative")


def _check_payload(path: str, line: int, obj: dict[str, Any]) -> None:
    if ("text" in obj) == ("binary" in obj):
        raise TranscriptError(path, line, "a frame needs exactly one of 'text' or 'binary'")
    if "binary" in obj:
        try:
            base64.b64decode(obj["binary"], validate=True)
        except binascii.Error:
            raise TranscriptError(path, line, "field 'binary' is not valid base64") from None


def _check_headers(path: str, line: int, headers: dict[str, Any]) -> None:
    if not all(isinstance(value, str) for value in headers.values()):
        raise TranscriptError(path, line, "header values must be strings")


# kind -> (states a client may be in before it, state after it)
_LIFECYCLE = {
    "connect": ({None, "closed"}, "open"),
    "send": ({"open"}, "open"),
    "recv": ({"open", "closing"}, None),
    "close": ({"open"}, "closing"),
    "closed": ({"open", "closing"}, "closed"),
}
_STATE_WORDS = {None: "not connected", "closed": "closed", "open": "open", "closing": "closing"}


@dataclass
class ClientStates:
    """Tracks each client's life cycle while a transcript is read."""

    path: str
    states: dict[str, str | None] = field(default_factory=dict)

    def advance(self, event) -> None:
        """Check that `event` may happen now for its client, then apply it."""
        if event.kind not in _LIFECYCLE:
            return
        allowed, after = _LIFECYCLE[event.kind]
        state = self.states.get(event.client)
        if state not in allowed:
            raise TranscriptError(self.path, event.line, self._reason(event, state))
        if after is not None:
            self.states[event.client] = after

    @staticmethod
    def _reason(event, state: str | None) -> str:
        if state is None:
            return f"unknown client {event.client!r} in {event.kind} (no connect before)"
        return f"{event.kind} for client {event.client!r} which is {_STATE_WORDS[state]}"
