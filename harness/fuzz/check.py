"""One generated session, replayed against legacy and candidate: its differences after waivers."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from harness.config import HarnessConfig
from harness.corpus import RecordingResult, compare_recording
from harness.diff import Difference
from harness.fuzz.known import path_waivers
from harness.fuzz.model import SESSION_NAME
from harness.transcript import Transcript, dumps
from harness.waivers import Waiver, apply_waivers


class DifferenceFound(Exception):
    """A session on which the candidate differs from the legacy (Hypothesis shrinks it)."""

    def __init__(self, transcript: Transcript, result: RecordingResult) -> None:
        super().__init__(f"{len(result.differences)} difference(s)")
        self.transcript = transcript
        self.result = result


class BudgetSpent(BaseException):
    """Ends the Hypothesis run when the time budget is spent (a BaseException, so Hypothesis
    does not take it for a failure of the session)."""


def signature(result: RecordingResult) -> frozenset[tuple[str, str, str]]:
    """What differs, independent of frame positions: (client, kind, path)."""
    return frozenset((d.client, d.kind, d.path) for d in result.differences)


@dataclass
class Budget:
    """Exploration ends at `deadline`; shrinking a found session may take `shrink` seconds more."""

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
    """Callable run at each session's end: raises DifferenceFound when a difference is confirmed.

    Results are cached by transcript text, so Hypothesis sees the same outcome every time it
    runs a session again; the first difference counts only when a second comparison shows it
    too. Once the budget is spent, a new session ends the run (BudgetSpent).
    """

    def __init__(self, legacy: str, candidate: str, config: HarnessConfig,
                 waivers: list[Waiver], budget: Budget, on_example=lambda stats, found: None) -> None:
        self.legacy, self.candidate, self.config = legacy, candidate, config
        self.waivers = path_waivers(waivers)
        self.budget = budget
        self.on_example = on_example
        self.loop = asyncio.new_event_loop()
        self.cache: dict[str, RecordingResult | None] = {}
        self.stats = Stats()
        self.smallest: DifferenceFound | None = None

    def close(self) -> None:
        self.loop.close()

    def __call__(self, transcript: Transcript) -> None:
        if dumps(transcript) not in self.cache and not self.budget.open():
            raise BudgetSpent()
        self.stats.examples += 1
        result = self.differs(transcript)
        self.on_example(self.stats, result is not None)
        if result is not None:
            self._found(DifferenceFound(transcript, result))

    def _found(self, found: DifferenceFound) -> None:
        """Remember the smallest failing session (in case the budget ends the shrinking), raise."""
        size = (len(found.transcript.events), len(dumps(found.transcript)))
        best = self.smallest
        if best is None or size < (len(best.transcript.events), len(dumps(best.transcript))):
            self.smallest = found
        raise found

    def differs(self, transcript: Transcript) -> RecordingResult | None:
        """The cached, confirmed result of a session (compared now if new)."""
        key = dumps(transcript)
        if key not in self.cache:
            self.cache[key] = self._confirmed(transcript)
        return self.cache[key]

    def compare(self, transcript: Transcript) -> RecordingResult:
        """Differences (waivers applied); a session the legacy fails on is skipped (counted)."""
        self.stats.replayed += 1
        result = self.loop.run_until_complete(
            compare_recording(transcript, self.legacy, self.candidate, self.config))
        if result.error and not result.error.startswith(f"{self.candidate}:"):
            self.stats.legacy_failed += 1
            self.stats.last_failure = result.error
            result.error = None
            result.differences = []
        result.differences, result.waived = apply_waivers(result.differences, self.waivers)
        if result.error:
            result.differences.append(Difference(SESSION_NAME, "-", "connect", expected="ok",
                                                 actual=result.error))
        return result

    def _confirmed(self, transcript: Transcript) -> RecordingResult | None:
        """While exploring, a difference must show twice; while shrinking, once is enough."""
        first = self.compare(transcript)
        if not first.differences:
            return None
        if self.budget.found_at is not None:
            return first
        if signature(first) & signature(self.compare(transcript)):
            self.budget.found_at = time.monotonic()
            return first
        self.stats.unstable += 1
        return None
