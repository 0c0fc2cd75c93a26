"""What the bench times: a workload opens a rig per side and runs ``n`` iterations on it.

The corpus workloads come from the recordings; a subject's plug-in may add its own
(``harness.subject.Subject.bench_workloads``). ``run`` returns the seconds of timed work, so a
workload can leave set-up (a fresh server per replay) and recorded sleeps out of the time.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, AsyncContextManager, AsyncIterator

from harness.gates.bench.corpus import CorpusSide


class Workload:
    """A named piece of work; ``unit`` names what one iteration counts. Subclasses give ``rig``
    and ``run``; ``run_pair`` may time both sides at a finer grain than a whole round."""

    name: str
    unit: str

    def rig(self, side: str, target: str) -> AsyncContextManager[Any]:
        """What ``run`` drives on one side (started, and always stopped, by the context)."""
        raise NotImplementedError

    async def run(self, rig: Any, n: int) -> float:
        """``n`` iterations on ``rig``; the seconds of timed work."""
        raise NotImplementedError

    async def run_pair(self, legacy: Any, candidate: Any, n: int, legacy_first: bool) -> tuple[float, float]:
        """One paired round: ``n`` iterations on each side, in the order given; (legacy, candidate)."""
        if legacy_first:
            first = await self.run(legacy, n)
            return first, await self.run(candidate, n)
        second = await self.run(candidate, n)
        return await self.run(legacy, n), second


@dataclass(frozen=True)
class CorpusWorkload(Workload):
    """The selected recordings, each against a fresh server, ``copies`` replays at once.

    One iteration is one pass over the recordings; with ``copies`` above 1 the copies of each
    recording run side by side against one server, so a server that serialises its clients
    shows here and not in the sequential pass.
    """

    name: str
    unit: str
    copies: int
    sides: dict[str, CorpusSide]

    @contextlib.asynccontextmanager
    async def rig(self, side: str, target: str) -> AsyncIterator[CorpusSide]:
        del target  # the side already holds it
        yield self.sides[side]

    async def run(self, rig: CorpusSide, n: int) -> float:
        total = 0.0
        for _ in range(n):
            for transcript in rig.transcripts:
                total += await rig.replay(transcript, self.copies)
        return total

    async def run_pair(self, legacy: CorpusSide, candidate: CorpusSide, n: int, legacy_first: bool) -> tuple[float, float]:
        """Each recording on both sides back to back, the order alternating from one recording to
        the next: load from elsewhere on the machine falls on both sides alike."""
        totals = {"legacy": 0.0, "candidate": 0.0}
        for index in range(n * len(legacy.transcripts)):
            transcript = legacy.transcripts[index % len(legacy.transcripts)]
            order = (legacy, candidate) if (index % 2 == 0) == legacy_first else (candidate, legacy)
            for side in order:
                totals[side.name] += await side.replay(transcript, self.copies)
        return totals["legacy"], totals["candidate"]

    @property
    def replays_per_iteration(self) -> int:
        return self.copies * len(next(iter(self.sides.values())).transcripts)


def corpus_workloads(sides: dict[str, CorpusSide], copies: int) -> tuple[CorpusWorkload, ...]:
    """Sequential replay time, and throughput with ``copies`` replays at once."""
    return (
        CorpusWorkload("corpus_sequential", "corpus pass", 1, sides),
        CorpusWorkload(f"corpus_{copies}_at_once", f"corpus pass, {copies} copies at once", copies, sides),
    )
