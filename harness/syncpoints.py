"""Sync points: how much each client must have seen before each recorded action."""

from __future__ import annotations

from dataclasses import dataclass

from harness.serverside import CALLS, EVENTS
from harness.transcript import Event, Transcript

# observed line kind -> the stream it counts in (None: the line's client)
_SEEN = {"recv": None, "event": EVENTS, "returned": CALLS, "raised": CALLS}


@dataclass(frozen=True)
class Progress:
    """Frames received and connections ended, per client (and per server-side stream)."""

    frames: dict[str, int]
    closes: dict[str, int]

    def reached_by(self, frames: dict[str, int], closes: dict[str, int]) -> bool:
        """True when the observed counts are at least these."""
        return all(frames.get(c, 0) >= n for c, n in self.frames.items()) and all(
            closes.get(c, 0) >= n for c, n in self.closes.items()
        )

    def missing(self, frames: dict[str, int], closes: dict[str, int]) -> str:
        """A short description of what is still awaited."""
        parts = [
            f"{c} frame {frames.get(c, 0) + 1}/{n}" for c, n in self.frames.items() if frames.get(c, 0) < n
        ]
        parts += [f"{c} close" for c, n in self.closes.items() if closes.get(c, 0) < n]
        return ", ".join(parts)


@dataclass(frozen=True)
class Step:
    """An action and what must have been received before it runs."""

    event: Event
    before: Progress


def plan(transcript: Transcript) -> tuple[list[Step], Progress]:
    """The actions with their sync points, and the final progress the recording shows."""
    frames: dict[str, int] = {}
    closes: dict[str, int] = {}
    steps = []
    for event in transcript.events:
        if event.is_action:
            steps.append(Step(event, Progress(dict(frames), dict(closes))))
        elif event.kind in _SEEN:
            stream = _SEEN[event.kind] or event.client
            frames[stream] = frames.get(stream, 0) + 1
        elif event.kind == "closed":
            closes[event.client] = closes.get(event.client, 0) + 1
    return steps, Progress(frames, closes)
