"""The `wsgm/1` transcript model: dataclasses, loading and writing (JSON Lines)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import TranscriptError
from harness.transcript_check import SERVER_SIDE, check_event_fields, check_meta_fields, ClientStates

FORMAT = "wsgm/1"
_SEP = (",", ":")
ACTIONS = frozenset({"connect", "send", "close", "sleep", "call"})
_EVENT_KEYS = (
    "kind", "client", "t", "path", "headers", "compression", "text", "binary", "code", "reason", "ms",
    "method", "args", "kwargs", "value", "error", "topic", "data", "instance",
)
# kind -> the fields a line of that kind is written with (client lines: those that are set)
_WRITTEN = {
    "sleep": ("kind", "t", "ms"),
    "call": ("kind", "t", "method", "args", "kwargs"),
    "returned": ("kind", "t", "method", "value"),
    "raised": ("kind", "t", "method", "error"),
    "event": ("kind", "t", "topic", "data"),
}
_CLIENT_LINE = ("kind", "client", "t", "instance", "path", "headers", "compression", "text", "binary", "code", "reason")
_OPTIONAL = ("instance",)  # written on a call line only when set


@dataclass(frozen=True)
class Meta:
    """The first line: what the recording is and how to start the server for it."""

    name: str
    recorded_at: str = ""
    recorded_against: str = ""
    tags: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "meta",
            "format": FORMAT,
            "name": self.name,
            "recorded_at": self.recorded_at,
            "recorded_against": self.recorded_against,
            "tags": list(self.tags),
            "settings": self.settings,
        }


@dataclass(frozen=True)
class Event:
    """One line after the meta: a client action or something a client saw."""

    kind: str
    client: str = ""
    t: float = 0.0
    text: str | None = None
    binary: str | None = None
    code: int | None = None
    reason: str | None = None
    headers: dict[str, str] | None = None
    ms: float | None = None
    path: str | None = None
    compression: str | None = None
    method: str | None = None
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    value: Any = None
    error: str | None = None
    topic: str | None = None
    data: Any = None
    instance: int | None = None  # a connect or call: which instance of a cluster (None: the default)
    line: int = 0

    @property
    def offers_deflate(self) -> bool:
        """A `connect`: whether the client offers permessage-deflate (the default)."""
        return self.compression != "none"

    @property
    def is_action(self) -> bool:
        return self.kind in ACTIONS

    def payload(self) -> str | bytes:
        """The frame content of a send/recv: text, or decoded binary."""
        if self.binary is not None:
            return base64.b64decode(self.binary)
        return self.text or ""

    def to_dict(self) -> dict[str, Any]:
        raw = {
            "kind": self.kind,
            "client": self.client or None,
            "t": round(self.t, 3),
            "path": self.path,
            "headers": self.headers,
            "compression": self.compression,
            "text": self.text,
            "binary": self.binary,
            "code": self.code,
            "reason": self.reason,
            "ms": self.ms,
            "method": self.method,
            "args": list(self.args or ()),
            "kwargs": dict(self.kwargs or {}),
            "value": self.value,
            "error": self.error,
            "topic": self.topic,
            "data": self.data,
            "instance": self.instance,
        }
        if self.kind in _WRITTEN:
            return {**{key: raw[key] for key in _WRITTEN[self.kind]}, **_optional(raw)}
        return {key: raw[key] for key in _CLIENT_LINE if _present(key, raw)}


def _optional(raw: dict[str, Any]) -> dict[str, Any]:
    return {key: raw[key] for key in _OPTIONAL if raw[key] is not None}


def _present(key: str, raw: dict[str, Any]) -> bool:
    if key == "code" and raw["kind"] == "closed":
        return True
    return raw[key] is not None


@dataclass(frozen=True)
class Transcript:
    """A whole recording."""

    meta: Meta
    events: tuple[Event, ...]
    path: str = "<memory>"

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def clients(self) -> tuple[str, ...]:
        """Client names in order of first appearance."""
        return tuple(dict.fromkeys(e.client for e in self.events if e.client))

    @property
    def has_recv(self) -> bool:
        return any(e.kind == "recv" for e in self.events)

    @property
    def server_side(self) -> Event | None:
        """The first call or event line: the recording needs an in-process target (None: it does not)."""
        return next((e for e in self.events if e.kind in SERVER_SIDE), None)

    @property
    def calls(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.kind == "call")


def binary_event(kind: str, client: str, t: float, data: bytes) -> Event:
    """A send/recv event for a binary frame."""
    return Event(kind=kind, client=client, t=t, binary=base64.b64encode(data).decode("ascii"))


def _line(obj: dict[str, Any]) -> str:
    """One JSON line, readable UTF-8; a line holding a lone surrogate is written with escapes."""
    text = json.dumps(obj, ensure_ascii=False, separators=_SEP)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, separators=_SEP)
    return text


def dumps(transcript: Transcript) -> str:
    """Serialise a transcript to `wsgm/1` JSON Lines (always valid UTF-8)."""
    lines = [_line(transcript.meta.to_dict())] + [_line(e.to_dict()) for e in transcript.events]
    return "\n".join(lines) + "\n"


def write(transcript: Transcript, path: Path) -> None:
    """Write a transcript file whole or not at all (parent directories are created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(dumps(transcript), encoding="utf-8")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def load(path: Path) -> Transcript:
    """Read and validate a transcript file; raises TranscriptError `path:line: reason`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(path, 0, f"cannot read: {exc}") from None
    return loads(text, str(path))


def loads(text: str, path: str = "<memory>") -> Transcript:
    """Parse and validate `wsgm/1` text."""
    rows = list(_rows(text, path))
    if not rows or rows[0][1].get("kind") != "meta":
        line = rows[0][0] if rows else 1
        raise TranscriptError(path, line, "missing meta (the first line must have kind 'meta')")
    meta = _meta(path, *rows[0])
    states = ClientStates(path)
    events = tuple(_event(path, number, obj, states) for number, obj in rows[1:])
    states.finish()
    return Transcript(meta=meta, events=events, path=path)


def _rows(text: str, path: str):
    lines = text.split("\n")
    for index, raw in enumerate(lines):
        if not raw.strip():
            continue
        number = index + 1
        yield number, _parse_line(path, number, raw, truncated=index == len(lines) - 1)


def _parse_line(path: str, number: int, raw: str, truncated: bool) -> dict[str, Any]:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        reason = "truncated line" if truncated else "bad JSON"
        raise TranscriptError(path, number, f"{reason}: {exc.msg} (column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise TranscriptError(path, number, "a line must be a JSON object")
    return obj


def _meta(path: str, number: int, obj: dict[str, Any]) -> Meta:
    check_meta_fields(path, number, obj)
    return Meta(
        name=obj["name"],
        recorded_at=obj.get("recorded_at", ""),
        recorded_against=obj.get("recorded_against", ""),
        tags=tuple(obj.get("tags", ())),
        settings=dict(obj.get("settings") or {}),
    )


def _event(path: str, number: int, obj: dict[str, Any], states: ClientStates) -> Event:
    if obj.get("kind") == "meta":
        raise TranscriptError(path, number, "duplicate meta line")
    check_event_fields(path, number, obj)
    event = Event(line=number, **{key: obj[key] for key in _EVENT_KEYS if key in obj})
    states.advance(event)
    return event
