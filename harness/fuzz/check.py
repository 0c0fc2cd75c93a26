"""Generated sessions replayed against legacy and candidate, several at once: their differences
after waivers, confirmed by a second comparison."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any

from harness.config import HarnessConfig
from harness.corpus import RecordingResult
from harness.diff import Difference
from harness.fuzz.compare import compare_session
from harness.fuzz.model import SESSION_NAME
from harness.jsonpath import ROOT
from harness.normalise import NormalClient
from harness.transcript import Transcript
from harness.waivers import Waiver, apply_waivers

CONFIRM_PACES = (2.0, 1.0)  # a difference must also show with pauses this many times as long


def path_waivers(waivers: list[Waiver]) -> list[Waiver]:
    """Waivers of one JSON path, made to match that path in any generated session."""
    return [replace(w, recording=SESSION_NAME, client=None, frame=None)
            for w in waivers if w.path != ROOT]


def repaced(transcript: Transcript, factor: float) -> Transcript:
    """The session with every pause `factor` times as long."""
    events = tuple(replace(e, ms=e.ms * factor) if e.kind == "sleep" and e.ms else e for e in transcript.events)
    return replace(transcript, events=events)


def _replies(client: NormalClient | None, reply_key: str) -> list[tuple[int, Any]]:
    """(position, echoed id) of the client's frames that answer a request."""
    frames = client.frames if client is not None else ()
    return [(i, f.value[reply_key]) for i, f in enumerate(frames)
            if f.is_json and isinstance(f.value, dict) and reply_key in f.value]


def _race(difference: Difference, expected: dict, actual: dict, reply_key: str) -> bool:
    """A frame answering no request that moved against the replies (which kept their order), or
    that came after the client's last reply on one side only (a stream cut by the session's end)."""
    left = _replies(expected.get(difference.client), reply_key)
    right = _replies(actual.get(difference.client), reply_key)
    if difference.kind == "reordered":
        return [r for _, r in left] == [r for _, r in right]
    trailing = {"missing": (difference.frame, difference.expected, left),
                "extra": (difference.actual_frame, difference.actual, right)}.get(difference.kind)
    if trailing is None or trailing[0] is None:
        return False
    index, value, replies = trailing
    unanswering = not (isinstance(value, dict) and reply_key in value)
    return unanswering and index > max((i for i, _ in replies), default=-1)


def drop_push_races(result: RecordingResult, reply_key: str | None) -> RecordingResult:
    """Without the differences of frames that answer no request and whose place only timing decides:
    a session without reply sync cannot pace them (replies out of order still differ)."""
    if reply_key is None or result.expected is None or result.actual is None:
        return result
    expected, actual = result.expected.clients, result.actual.clients
    return replace(result, differences=[d for d in result.differences if not _race(d, expected, actual, reply_key)])


def signature(result: RecordingResult) -> frozenset[tuple[str, str, str]]:
    """What differs, independent of frame positions: (client, kind, path)."""
    return frozenset((d.client, d.kind, d.path) for d in result.differences)


@dataclass
class Budget:
    """Exploration ends at `seconds`; shrinking a found session may take `shrink` seconds more."""

    seconds: float
    shrink: float
    started: float = field(default_factory=time.monotonic)
    found_at: float | None = None

    def open(self) -> bool:
        now = time.monotonic()
        if self.found_at is None:
            return now - self.started < self.seconds
        return now - self.found_at < self.shrink


@dataclass
class Stats:
    examples: int = 0
    replayed: int = 0
    unstable: int = 0
    legacy_failed: int = 0
    last_failure: str = ""


class SessionCheck:
    """Compares sessions (legacy twice for noise, candidate once) on one event loop."""

    def __init__(self, legacy: str, candidate: str, config: HarnessConfig, waivers: list[Waiver],
                 reply_key: str | None = None) -> None:
        self.legacy, self.candidate, self.config = legacy, candidate, config
        self.reply_key = reply_key
        self.waivers = path_waivers(waivers)
        self.loop = asyncio.new_event_loop()
        self.stats = Stats()

    def close(self) -> None:
        self.loop.close()

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    async def compare(self, transcript: Transcript, at_once: bool = True) -> RecordingResult:
        """Differences (waivers applied); a session the legacy fails on has none (counted)."""
        self.stats.replayed += 1
        result = await compare_session(transcript, self.legacy, self.candidate, self.config, at_once)
        if result.error and not result.error.startswith(f"{self.candidate}:"):
            self.stats.legacy_failed += 1
            self.stats.last_failure = result.error
            result = replace(result, error=None, differences=[])
        result = drop_push_races(result, self.reply_key)
        differences, waived = apply_waivers(result.differences, self.waivers)
        if result.error:
            differences.append(Difference(SESSION_NAME, "-", "connect", expected="ok", actual=result.error))
        return replace(result, differences=differences, waived=waived)

    async def confirmed(self, transcript: Transcript, first: RecordingResult) -> RecordingResult | None:
        """The first result when each further comparison, one replay at a time (every pause twice
        as long, then as generated), shows some of the same differences: a race between replies,
        pushes and the next action seldom shows three times, and each comparison learns its own
        noise."""
        common = signature(first)
        for pace in CONFIRM_PACES:
            common &= signature(await self.compare(repaced(transcript, pace), at_once=False))
            if not common:
                self.stats.unstable += 1
                return None
        return first

    def differs(self, transcript: Transcript) -> RecordingResult | None:
        """One comparison, one replay at a time (while minimising a confirmed finding, once is enough)."""
        result = self.run(self.compare(transcript, at_once=False))
        return result if result.differences else None
