"""A corpus as exchanges: each frame a client sent, with the frames that client received next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.fuzz.shapes import json_object
from harness.transcript import Event, Transcript


@dataclass
class Exchange:
    """One sent text frame (its object, if it is one) and the replies that followed it."""

    recording: str
    client: str
    text: str
    request: dict[str, Any] | None
    settings: dict[str, Any] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)


def _received(current: Exchange | None, event: Event) -> None:
    reply = json_object(event.text)
    if current is not None and reply is not None:
        current.replies.append(reply)


def exchanges(transcript: Transcript) -> list[Exchange]:
    """The text frames the clients sent, in order, each with its client's next received frames."""
    current: dict[str, Exchange] = {}
    out: list[Exchange] = []
    for event in transcript.events:
        if event.kind == "send" and event.text is not None:
            current[event.client] = Exchange(transcript.name, event.client, event.text,
                                             json_object(event.text), transcript.meta.settings)
            out.append(current[event.client])
        elif event.kind == "recv":
            _received(current.get(event.client), event)
    return out

