"""Greedy minimising of a differing session: drop single actions, then single request keys,
while the session still differs."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from harness.fuzz.shapes import encode, json_object
from harness.transcript import Event, Transcript

StillDiffers = Callable[[Transcript], bool]


def without(transcript: Transcript, index: int) -> Transcript:
    """The transcript without action `index` (a connect takes its client's later events along)."""
    target = transcript.events[index]
    gone = target.client if target.kind == "connect" else None
    kept = [e for i, e in enumerate(transcript.events)
            if i != index and (gone is None or e.client != gone)]
    return replace(transcript, events=_tidy(kept))


def _tidy(events: list[Event]) -> tuple[Event, ...]:
    """No leading, trailing or doubled pauses; lines renumbered."""
    out: list[Event] = []
    for event in events:
        if event.kind == "sleep" and (not out or out[-1].kind == "sleep"):
            continue
        out.append(event)
    while out and out[-1].kind == "sleep":
        out.pop()

    return tuple(replace(e, line=i + 2) for i, e in enumerate(out))


def _drop_actions(transcript: Transcript, still_differs: StillDiffers) -> Transcript:
    """Remove actions one at a time, last first, keeping each removal that still differs."""
    index = len(transcript.events) - 1
    while index >= 0:
        event = transcript.events[index]
        if event.kind != "sleep":
            candidate = without(transcript, index)
            if candidate.events and still_differs(candidate):
                transcript = candidate
        index = min(index, len(transcript.events)) - 1
    return transcript


def without_key(transcript: Transcript, index: int, key: str) -> Transcript:
    """The transcript with `key` removed from the JSON object sent at `index`."""
    event = transcript.events[index]
    obj = json_object(event.text)
    del obj[key]
    events = list(transcript.events)
    events[index] = replace(event, text=encode(obj))
    return replace(transcript, events=tuple(events))


def _drop_keys(transcript: Transcript, still_differs: StillDiffers) -> Transcript:
    """Remove request keys one at a time, keeping each removal that still differs."""
    for index, event in enumerate(transcript.events):
        for key in list((json_object(event.text) or {}) if event.kind == "send" else ()):
            candidate = without_key(transcript, index, key)
            if still_differs(candidate):
                transcript = candidate
    return transcript


def minimise(transcript: Transcript, still_differs: StillDiffers) -> Transcript:
    """Fewer actions first, then fewer keys in the requests left."""
    return _drop_keys(_drop_actions(transcript, still_differs), still_differs)
