"""The corpus as the bench's workload: selected recordings replayed against a fresh server each.

Every replay gets a server of its own, started with the recording's settings (over the
configured bench settings) before the clock starts and stopped after it stops, so a replay sees
the state it was recorded with and the time is the recorded traffic's alone. Sleep lines are
replayed (the server may need the time to pass) and left out of the time.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from typing import Any

from harness.config import HarnessConfig, Selection, Timeouts
from harness.errors import TargetError, UncleanReplay
from harness.gates.result import GateError
from harness.gates.selection import settings_for
from harness.redact import Restorer
from harness.replay import ReplayFailed, TimedReplay, timed_replay
from harness.targets import parse_target, running
from harness.transcript import Transcript


@dataclass(frozen=True)
class CorpusSide:
    """One target and what it replays: the transcripts, the settings and the timeouts."""

    name: str
    target: str
    transcripts: tuple[Transcript, ...]
    selection: Selection
    config: HarnessConfig

    @property
    def timeouts(self) -> Timeouts:
        """The configured timeouts without the quiet wait at the end (no frame is expected)."""
        return replace(self.config.timeouts, quiet=0.0, quiet_max=0.0)

    async def replay(self, transcript: Transcript, copies: int) -> float:
        """Seconds for ``copies`` replays at once against one fresh server, sleeps left out."""
        settings = settings_for(transcript, self.selection)
        try:
            async with running(parse_target(self.target, self.config), settings, self.timeouts) as live:
                runs = await asyncio.gather(*(self._one(transcript, live, settings) for _ in range(copies)))
        except TargetError as exc:
            raise GateError(f"bench: {self.name} {self.target}: {exc}") from None
        except UncleanReplay:
            raise
        except (ReplayFailed, asyncio.TimeoutError) as exc:
            raise UncleanReplay(self.name, f"{self.name} {transcript.name}: {exc or 'timed out'}") from None
        return _wall(runs)

    async def _one(self, transcript: Transcript, live: Any, settings: dict[str, Any]) -> tuple[float, TimedReplay]:
        restorer = Restorer(self.config.redact, self.config.fixtures, settings)
        start = time.perf_counter()
        run = await timed_replay(transcript, live, restorer, self.timeouts)
        if run.warnings:
            raise UncleanReplay(self.name, f"{self.name} {transcript.name}: {run.warnings[0]}")
        return time.perf_counter() - start, run


def _wall(runs: list[tuple[float, TimedReplay]]) -> float:
    """The copies ran side by side: the longest took the wall time; every copy slept the same
    recorded sleeps at the same time, so the least any of them slept comes off."""
    return max(wall for wall, _ in runs) - min(run.slept for _, run in runs)


async def probe(side: CorpusSide, copies: int) -> tuple[tuple[Transcript, ...], dict[str, str]]:
    """The transcripts that replay cleanly on ``side`` alone and with ``copies`` at once, and the
    reason for each one left out."""
    kept, left_out = [], {}
    for transcript in side.transcripts:
        try:
            await side.replay(transcript, 1)
            await side.replay(transcript, copies)
        except UncleanReplay as exc:
            left_out[transcript.name] = str(exc)
            continue
        kept.append(transcript)
    return tuple(kept), left_out
