"""The bench gate: geometric mean of the per-workload medians of paired ratios, at most 1.05."""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

from harness.gates.bench.rig import running_rig
from harness.gates.bench.storage import comparison_table, save_history, write_benchmark_json
from harness.gates.bench.timing import MIN_ROUND, PairedTimings, Spread, calibrate, interleave
from harness.gates.bench.workloads import WORKLOADS, Workload
from harness.gates.result import GateResult

THRESHOLD = 1.05


@dataclass(frozen=True)
class BenchSettings:
    """Effort and threshold; ``QUICK`` is the reduced effort for CI."""

    rounds: int = 41
    warmup_rounds: int = 2
    subscribers: int = 20
    min_round: float = MIN_ROUND
    threshold: float = THRESHOLD
    retries: int = 1
    workloads: tuple[Workload, ...] = WORKLOADS
    history: Path | None = None  # pytest-benchmark storage to keep every run in


FULL = BenchSettings()
QUICK = replace(FULL, rounds=15, subscribers=10)


async def measure(legacy: str, candidate: str, settings: BenchSettings) -> list[PairedTimings]:
    """Every workload on both servers, running side by side in this process."""
    async with running_rig("legacy", legacy, settings.subscribers) as a:
        async with running_rig("candidate", candidate, settings.subscribers) as b:
            results = []
            for workload in settings.workloads:
                iterations = await calibrate(workload, (a, b), settings.min_round)
                await interleave(workload, a, b, settings.warmup_rounds, iterations)
                results.append(await interleave(workload, a, b, settings.rounds, iterations))
            return results


def overall_ratio(results: list[PairedTimings]) -> float:
    """Geometric mean of each workload's median paired ratio."""
    medians = [Spread.of(r.ratios).median for r in results]
    return math.exp(sum(math.log(m) for m in medians) / len(medians))


def workload_figures(timings: PairedTimings, unit: str) -> dict:
    """A workload's ratio spread and the per-operation medians of each side."""
    per_op = {
        side: Spread.of([t / timings.iterations for t in values]).median
        for side, values in (("legacy", timings.legacy), ("candidate", timings.candidate))
    }
    return {
        "ratio": Spread.of(timings.ratios).to_dict(),
        "rounds": len(timings.ratios),
        "iterations_per_round": timings.iterations,
        "unit": unit,
        "legacy_seconds_per_op": per_op["legacy"],
        "candidate_seconds_per_op": per_op["candidate"],
        "legacy_ops_per_second": round(1 / per_op["legacy"], 1),
        "candidate_ops_per_second": round(1 / per_op["candidate"], 1),
        "round_seconds_min": round(min(timings.legacy + timings.candidate), 4),
        "round_seconds_median": round(Spread.of(timings.legacy + timings.candidate).median, 4),
    }


def _attempt(legacy: str, candidate: str, settings: BenchSettings) -> tuple[float, list[PairedTimings]]:
    results = asyncio.run(measure(legacy, candidate, settings))
    return overall_ratio(results), results


def bench_gate(legacy: str, candidate: str, reports: Path, settings: BenchSettings = FULL) -> GateResult:
    """Measure (retrying once on failure), store pytest-benchmark JSON and table, decide."""
    ratio, results = _attempt(legacy, candidate, settings)
    attempts = [round(ratio, 4)]
    while ratio > settings.threshold and len(attempts) <= settings.retries:
        ratio, results = _attempt(legacy, candidate, settings)
        attempts.append(round(ratio, 4))
    json_path = write_benchmark_json(reports / "bench.json", results, {"legacy": legacy, "candidate": candidate})
    if settings.history is not None:
        save_history(json.loads(json_path.read_text(encoding="utf-8")), settings.history)
    (reports / "bench.txt").write_text(comparison_table(json_path), encoding="utf-8")
    passed = ratio <= settings.threshold
    units = {w.name: w.unit for w in settings.workloads}
    pooled = Spread.of([x for r in results for x in r.ratios])
    return GateResult(
        name="bench",
        passed=passed,
        summary="candidate time within the bench threshold" if passed else "candidate slower than the bench threshold",
        reason=f"candidate/legacy time ratio {ratio:.3f} ({'<=' if passed else '>'} {settings.threshold})",
        figures={
            "ratio": round(ratio, 4),
            "spread": pooled.to_dict(),
            "attempts": attempts,
            "workloads": {r.workload: workload_figures(r, units[r.workload]) for r in results},
            "rounds": settings.rounds,
            "subscribers": settings.subscribers,
        },
        thresholds={
            "max_ratio": settings.threshold,
            "min_round_seconds": settings.min_round,
            "retries": settings.retries,
        },
        artifacts={"benchmark_json": "bench.json", "table": "bench.txt"},
    )
