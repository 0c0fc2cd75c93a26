"""Interleaved timing: A,B then B,A per round, GC off inside the timed part."""

from __future__ import annotations

import contextlib
import gc
import math
import statistics
from dataclasses import dataclass, field
from typing import Any, Iterator

from harness.gates.bench.workloads import Workload

MIN_ROUND = 0.010  # seconds: each timed round lasts at least this long
MAX_ITERATIONS = 1 << 16
TRIALS = 3  # calibration rounds per side and iteration count; the fastest counts


@dataclass
class PairedTimings:
    """Seconds per round for each side, in round order; ``ratios[i] = candidate[i] / legacy[i]``."""

    workload: str
    iterations: int
    legacy: list[float] = field(default_factory=list)
    candidate: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [c / l for l, c in zip(self.legacy, self.candidate)]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """GC collected before and disabled during the timed part."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def timed(workload: Workload, rig: Any, iterations: int) -> float:
    """Seconds of timed work in one round on one side (the workload's own clock)."""
    with gc_paused():
        return await workload.run(rig, iterations)


async def _fastest(workload: Workload, rigs: tuple[Any, Any], iterations: int, trials: int) -> float:
    return min([await timed(workload, rig, iterations) for rig in rigs for _ in range(trials)])


async def calibrate(workload: Workload, rigs: tuple[Any, Any], min_round: float = MIN_ROUND) -> int:
    """The iteration count that makes every side's round last ``min_round``: grown on one round
    per side, then confirmed on the fastest of ``TRIALS`` rounds per side."""
    iterations = 1
    while iterations < MAX_ITERATIONS:
        fastest = await _fastest(workload, rigs, iterations, 1)
        if fastest >= min_round:
            fastest = min(fastest, await _fastest(workload, rigs, iterations, TRIALS - 1))
        if fastest >= min_round:
            return iterations
        wanted = math.ceil(iterations * 1.2 * min_round / max(fastest, 1e-6))
        iterations = min(MAX_ITERATIONS, max(iterations * 2, wanted))
    return MAX_ITERATIONS


async def interleave(workload: Workload, legacy: Any, candidate: Any, rounds: int, iterations: int) -> PairedTimings:
    """``rounds`` paired rounds; even rounds time legacy first, odd rounds candidate first."""
    result = PairedTimings(workload.name, iterations)
    for index in range(rounds):
        with gc_paused():
            a, b = await workload.run_pair(legacy, candidate, iterations, legacy_first=index % 2 == 0)
        result.legacy.append(a)
        result.candidate.append(b)
    return result


@dataclass(frozen=True)
class Spread:
    """Median and spread of a sample."""

    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @classmethod
    def of(cls, values: list[float]) -> "Spread":
        q1, _, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else (values[0],) * 3
        return cls(statistics.median(values), q1, q3, min(values), max(values))

    def to_dict(self, digits: int = 4) -> dict[str, float]:
        return {
            "median": round(self.median, digits),
            "q1": round(self.q1, digits),
            "q3": round(self.q3, digits),
            "iqr": round(self.iqr, digits),
            "min": round(self.minimum, digits),
            "max": round(self.maximum, digits),
        }
