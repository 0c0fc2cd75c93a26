"""Interleaved timing of several servers: every round times each, in a rotating order.

Reuses the bench gate's machinery (``harness.gates.bench.timing``: GC off inside the timed
part, calibration to rounds of at least 10 ms, ``Spread``) and extends its two-sided
A,B / B,A pairing to any number of servers: round ``i`` uses the ``i``-th order of a cycle in
which every server takes every position equally often. Ratios are medians of per-round ratios.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from typing import Any

from harness.gates.bench.timing import MIN_ROUND, Spread, calibrate

RATIO_PAIRS = (("refactored", "legacy"), ("refactored", "echo"), ("legacy", "echo"))


def orders(names: list[str]) -> list[tuple[str, ...]]:
    """A cycle of orders in which each name takes each position equally often (and reversals)."""
    forward = [tuple(names[i:] + names[:i]) for i in range(len(names))]
    return [o for pair in zip(forward, [tuple(reversed(f)) for f in forward]) for o in pair]


async def timed(workload: Any, rig: Any, iterations: int) -> float:
    """Seconds for one round (GC collected before, off during); a workload may return its own time."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        own = await workload.run(rig, iterations)
        return own if isinstance(own, float) else time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


@dataclass
class Timings:
    """Seconds per round for each server (same round index = same interleaved round)."""

    workload: str
    unit: str
    iterations: int
    rounds: dict[str, list[float]] = field(default_factory=dict)

    def per_op(self, name: str) -> Spread:
        return Spread.of([t / self.iterations for t in self.rounds[name]])

    def ratios(self, a: str, b: str) -> list[float]:
        """Paired ratios a/b of time (one per round)."""
        return [x / y for x, y in zip(self.rounds[a], self.rounds[b])]

    def to_dict(self) -> dict:
        servers = {name: {"seconds_per_op": self.per_op(name).to_dict(9),
                          "ops_per_second": round(1 / self.per_op(name).median, 1),
                          "rounds": [round(t, 9) for t in self.rounds[name]]} for name in self.rounds}
        ratios = {f"{a}/{b}": Spread.of(self.ratios(a, b)).to_dict()
                  for a, b in RATIO_PAIRS if a in self.rounds and b in self.rounds}
        return {"workload": self.workload, "unit": self.unit, "iterations": self.iterations,
                "servers": servers, "time_ratios": ratios}


@dataclass(frozen=True)
class _Clocked:
    """A workload whose ``run`` returns its seconds, as the gate's calibration expects."""

    workload: Any

    async def run(self, rig: Any, iterations: int) -> float:
        return await timed(self.workload, rig, iterations)


async def interleave(workload: Any, rigs: dict[str, Any], rounds: int, iterations: int,
                     warmup: int = 2) -> Timings:
    """``warmup`` untimed-in-result rounds, then ``rounds`` rounds over all rigs in rotating order."""
    cycle = orders(list(rigs))
    result = Timings(workload.name, workload.unit, iterations, {name: [] for name in rigs})
    for index in range(warmup + rounds):
        for name in cycle[index % len(cycle)]:
            seconds = await timed(workload, rigs[name], iterations)
            if index >= warmup:
                result.rounds[name].append(seconds)
    return result


async def measure(workload: Any, rigs: dict[str, Any], rounds: int, min_round: float = MIN_ROUND,
                  max_iterations: int | None = None) -> Timings:
    """Calibrate the iteration count on the fastest server, then interleave."""
    iterations = await calibrate(_Clocked(workload), tuple(rigs.values()), min_round)
    if max_iterations is not None:
        iterations = min(iterations, max_iterations)
    return await interleave(workload, rigs, rounds, iterations)


def median_ratio(a: list[float], b: list[float]) -> Spread:
    """Spread of the paired ratios a[i]/b[i] (the figure every ratio in the report uses)."""
    return Spread.of([x / y for x, y in zip(a, b)])


__all__ = ["Timings", "interleave", "measure", "median_ratio", "orders", "timed"]
