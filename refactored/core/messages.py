"""Frames in and out: strict JSON decoding, one encoder, reply shapes."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

from refactored.core.errors import ApiError, InvalidJson, InvalidMessage, error_frame

MAX_DEPTH = 64


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON constant not allowed: {name}")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value) or math.isnan(value):
        raise ValueError("number out of range")
    return value


_decode = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float).decode


def _standard_encoder() -> Any:
    """The C encoder ``json.dumps()`` builds on every call, built once (no circular check)."""
    make = json.encoder.c_make_encoder
    if make is None:
        return None
    return make(None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None,
                ": ", ", ", False, False, True)


_encoder = _standard_encoder()


def encode(value: Any) -> str:
    """``json.dumps(value)``, the same text, without building an encoder per frame.

    Values the fast path rejects (circular, not serialisable) go through ``json.dumps``
    itself, so they fail exactly as it fails.
    """
    try:
        return "".join(_encoder(value, 0))
    except (TypeError, ValueError, RecursionError):
        return json.dumps(value)


def depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (scalars are 0), stopping past the limit."""
    deepest, stack = 0, [(value, 0)]
    while stack and deepest <= MAX_DEPTH:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in item)
    return deepest


def _too_deep(text: str, value: Any) -> bool:
    # A text with few brackets cannot nest deeply: skip the walk (the common case).
    return text.count("{") + text.count("[") > MAX_DEPTH and depth(value) > MAX_DEPTH


def decode(text: str) -> dict[str, Any]:
    """Parse one text frame into a JSON object, or raise the matching error."""
    try:
        value = _decode(text)
    except (ValueError, RecursionError, TypeError):
        raise InvalidJson("Invalid JSON format") from None
    if _too_deep(text, value):
        raise InvalidJson("Invalid JSON format")
    if not isinstance(value, dict):
        raise InvalidMessage("Message must be a JSON object")
    return value


def response(status: str, **fields: Any) -> dict[str, Any]:
    """A ``response`` body; the engine adds ``timestamp`` and ``request_id``."""
    return {"type": "response", "status": status, **fields}


def stream_frame(stream: str, data: dict[str, Any], timestamp: str, kind: str | None = None) -> dict[str, Any]:
    """A frame of ``stream`` (its ``type`` is the stream's name unless ``kind`` says otherwise)."""
    return {"type": kind or stream, "stream": stream, "data": data, "timestamp": timestamp}


def session_id_of(message: dict[str, Any] | None) -> str | None:
    """The request's ``session_id`` when it is a string (echoed in errors)."""
    value = message.get("session_id") if message is not None else None
    return value if isinstance(value, str) else None


def error_reply(exc: ApiError, message: dict[str, Any] | None, code: str | None = None) -> dict[str, Any]:
    """The error frame for ``exc`` (under ``code`` if given), carrying the request's ``session_id``."""
    return error_frame(code or exc.code, exc.message, exc.session_id or session_id_of(message), "")


def finish(frame: dict[str, Any], timestamp: str, request: dict[str, Any] | None) -> dict[str, Any]:
    """Stamp a reply and echo the request's ``id`` last, if it had one."""
    frame["timestamp"] = timestamp
    if request is not None and "id" in request:
        frame["request_id"] = request["id"]
    return frame


def text_frame(text: str) -> bytes:
    """``text`` as one unmasked, unfragmented WebSocket text frame (a server's frame, RFC 6455 5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload
