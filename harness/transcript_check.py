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
_ANY = (object,)
COMPRESSIONS = ("deflate", "none")  # what a connecting client offers; absent means "deflate"

# kind -> {field: (accepted types, required)}
_COMMON = {"kind": (_STR, True), "client": (_STR, True), "t": (_NUM, False)}
_FRAME = {**_COMMON, "text": (_STR, False), "binary": (_STR, False)}
EVENT_FIELDS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "connect": {**_COMMON, "headers": (_DICT, False), "path": (_STR, False), "compression": (_STR, False),
                "instance": (_INT, False)},
    "send": _FRAME,
    "recv": _FRAME,
    "close": {**_COMMON, "code": (_INT, False), "reason": (_STR, False)},
    "closed": {**_COMMON, "code": (_INT + (type(None),), False), "reason": (_STR, False)},
    "sleep": {"kind": (_STR, True), "t": (_NUM, False), "ms": (_NUM, True), "client": (_STR, False)},
    # server-side lines (in-process targets): a call of a public method, its outcome, a publication
    "call": {"kind": (_STR, True), "t": (_NUM, False), "method": (_STR, True), "args": (_LIST, False),
             "kwargs": (_DICT, False), "instance": (_INT, False)},
    "returned": {"kind": (_STR, True), "t": (_NUM, False), "method": (_STR, True), "value": (_ANY, True)},
    "raised": {"kind": (_STR, True), "t": (_NUM, False), "method": (_STR, True), "error": (_STR, True)},
    "event": {"kind": (_STR, True), "t": (_NUM, False), "topic": (_STR, True), "data": (_ANY, True)},
}
SERVER_SIDE = frozenset({"call", "returned", "raised", "event"})
RESERVED_PREFIX = "@"  # client names of the server-side streams of an observation
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
        object: "any JSON value",
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
        if types != _ANY and (isinstance(value, bool) or not isinstance(value, types)):
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
    for check in _KIND_CHECKS.get(kind, ()):
        check(path, line, obj)


def _check_connect(path: str, line: int, obj: dict[str, Any]) -> None:
    _check_headers(path, line, obj.get("headers") or {})
    if not obj.get("path", "/").startswith("/"):
        raise TranscriptError(path, line, "field 'path' must start with '/'")
    if obj.get("compression", "deflate") not in COMPRESSIONS:
        raise TranscriptError(path, line, f"field 'compression' must be one of {', '.join(COMPRESSIONS)}")


def _check_instance(path: str, line: int, obj: dict[str, Any]) -> None:
    """The instance of a cluster a connect or call goes to: a 0-based index."""
    if obj.get("instance", 0) < 0:
        raise TranscriptError(path, line, "field 'instance' must not be negative")


def _check_client(path: str, line: int, obj: dict[str, Any]) -> None:
    if obj["client"].startswith(RESERVED_PREFIX):
        raise TranscriptError(path, line, f"client names starting with {RESERVED_PREFIX!r} are reserved")


def _check_sleep(path: str, line: int, obj: dict[str, Any]) -> None:
    if obj["ms"] < 0:
        raise TranscriptError(path, line, "field 'ms' must not be negative")


def _check_method(path: str, line: int, obj: dict[str, Any]) -> None:
    """A call names a public method: an identifier without a leading underscore."""
    method = obj["method"]
    if not method.isidentifier():
        raise TranscriptError(path, line, f"method {method!r} is not a method name")
    if method.startswith("_"):
        raise TranscriptError(path, line, f"method {method!r} is private (only public methods can be called)")


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


# kind -> the checks beyond field types
_KIND_CHECKS = {
    "connect": (_check_client, _check_connect, _check_instance),
    "send": (_check_payload,),
    "recv": (_check_payload,),
    "sleep": (_check_sleep,),
    "call": (_check_method, _check_instance),
    "returned": (_check_method,),
    "raised": (_check_method,),
}


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
    """Tracks each client's life cycle, and the call awaiting its outcome, while a transcript is read."""

    path: str
    states: dict[str, str | None] = field(default_factory=dict)
    pending_call: str | None = None
    pending_line: int = 0

    def advance(self, event) -> None:
        """Check that `event` may happen now for its client, then apply it."""
        if event.kind in _CALL_STEPS:
            self._call_step(event)
        if event.kind not in _LIFECYCLE:
            return
        allowed, after = _LIFECYCLE[event.kind]
        state = self.states.get(event.client)
        if state not in allowed:
            raise TranscriptError(self.path, event.line, self._reason(event, state))
        if after is not None:
            self.states[event.client] = after

    def _call_step(self, event) -> None:
        """A call's outcome follows it, naming the same method, before the next call."""
        awaited = event.kind != "call"
        if (self.pending_call is not None) != awaited or (awaited and self.pending_call != event.method):
            raise TranscriptError(self.path, event.line, _call_reason(event, self.pending_call))
        self.pending_call, self.pending_line = (None, 0) if awaited else (event.method, event.line)

    def finish(self) -> None:
        """At the end of the transcript: no call may be left without its outcome."""
        if self.pending_call is not None:
            raise TranscriptError(self.path, self.pending_line, f"call of {self.pending_call!r} has no outcome line")

    @staticmethod
    def _reason(event, state: str | None) -> str:
        if state is None:
            return f"unknown client {event.client!r} in {event.kind} (no connect before)"
        return f"{event.kind} for client {event.client!r} which is {_STATE_WORDS[state]}"


_CALL_STEPS = frozenset({"call", "returned", "raised"})


def _call_reason(event, pending: str | None) -> str:
    if event.kind == "call":
        return f"call of {event.method!r} before the outcome of the call of {pending!r}"
    if pending is None:
        return f"{event.kind} of {event.method!r} without a call before"
    return f"{event.kind} of {event.method!r} after a call of {pending!r}"
