"""What a client saw: frames and close codes, from a replay or from the recording itself."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from harness.serverside import CALLS, EVENTS, Outcome, Publication, stream_text
from harness.transcript import Event, Transcript


@dataclass(frozen=True)
class Frame:
    """One received frame: text, or binary bytes."""

    text: str | None = None
    binary: bytes | None = None

    @classmethod
    def of(cls, data: str | bytes) -> "Frame":
        return cls(binary=data) if isinstance(data, bytes) else cls(text=data)

    def to_dict(self) -> dict[str, str]:
        if self.binary is not None:
            return {"binary": base64.b64encode(self.binary).decode("ascii")}
        return {"text": self.text or ""}


@dataclass(frozen=True)
class ClientObservation:
    """Everything one named client received, over all of its connections."""

    name: str
    frames: tuple[Frame, ...] = ()
    close_codes: tuple[int | None, ...] = ()
    connect_errors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "frames": [f.to_dict() for f in self.frames],
            "close_codes": list(self.close_codes),
            "connect_errors": list(self.connect_errors),
        }


@dataclass(frozen=True)
class Observation:
    """The outcome of one replay of one recording against one target. `clients` also holds the
    server-side streams (`@calls`, `@events`) when they are not empty; `server_side` says whether
    they were observed at all (an external target shows none); `not_applicable` says why the
    recording cannot run against this target."""

    recording: str
    target: str
    clients: dict[str, ClientObservation] = field(default_factory=dict)
    failed: str | None = None
    warnings: tuple[str, ...] = ()
    duration: float = 0.0
    server_side: bool = True
    not_applicable: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "recording": self.recording,
            "target": self.target,
            "failed": self.failed,
            "not_applicable": self.not_applicable,
            "server_side": self.server_side,
            "warnings": list(self.warnings),
            "duration": round(self.duration, 4),
            "clients": {name: c.to_dict() for name, c in self.clients.items()},
        }


def server_streams(outcomes: list[Outcome], published: tuple[Publication, ...]) -> dict[str, ClientObservation]:
    """The non-empty server-side streams: call outcomes and publications, as JSON text frames."""
    frames = {
        CALLS: tuple(Frame(text=stream_text(o.frame())) for o in outcomes),
        EVENTS: tuple(Frame(text=stream_text(p.frame())) for p in published),
    }
    return {name: ClientObservation(name, stream) for name, stream in frames.items() if stream}


def _recorded_outcome(event: Event) -> Outcome:
    return Outcome(event.method or "", event.kind, event.value if event.kind == "returned" else event.error)


def _recorded_streams(transcript: Transcript) -> dict[str, ClientObservation]:
    outcomes = [_recorded_outcome(e) for e in transcript.events if e.kind in ("returned", "raised")]
    published = tuple(Publication(e.topic or "", e.data) for e in transcript.events if e.kind == "event")
    return server_streams(outcomes, published)


def expected_observation(transcript: Transcript) -> Observation:
    """The observation the recording itself shows (its recv and closed lines)."""
    frames: dict[str, list[Frame]] = {name: [] for name in transcript.clients}
    codes: dict[str, list[int | None]] = {name: [] for name in transcript.clients}
    rejected: dict[str, list[str]] = {name: [] for name in transcript.clients}
    for event in transcript.events:
        if event.kind == "recv":
            frames[event.client].append(Frame.of(event.payload()))
        elif event.kind == "closed":
            codes[event.client].append(event.code)
            rejected[event.client] += [event.reason or ""] if event.code is None else []
    clients = {
        name: ClientObservation(name, tuple(frames[name]), tuple(codes[name]), tuple(rejected[name]))
        for name in transcript.clients
    }
    clients.update(_recorded_streams(transcript))
    return Observation(recording=transcript.name, target="recording", clients=clients,
                       server_side=transcript.server_side is not None)
