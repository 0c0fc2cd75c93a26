"""The bench gate: geometric mean of the per-workload medians of paired ratios, at most 1.05.

The workloads are the corpus itself (sequential replay time, and throughput with K copies of
each recording replayed at once against one server) plus any the subject's plug-in adds.
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

from harness.config import HarnessConfig
from harness.errors import UncleanReplay
from harness.gates.bench.corpus import CorpusSide, probe
from harness.gates.bench.storage import comparison_table, save_history, write_benchmark_json
from harness.gates.bench.timing import MIN_ROUND, PairedTimings, Spread, calibrate, interleave
from harness.gates.bench.workloads import CorpusWorkload, Workload, corpus_workloads
from harness.gates.result import GateError, GateResult
from harness.gates.selection import corpus_selection
from harness.subject import load_subject

THRESHOLD = 1.05


@dataclass(frozen=True)
class BenchSettings:
    """Effort and threshold; ``QUICK`` is the reduced effort for CI."""

    rounds: int = 21
    warmup_rounds: int = 1
    min_round: float = MIN_ROUND
    threshold: float = THRESHOLD
    retries: int = 1
    quick: bool = False
    history: Path | None = None  # pytest-benchmark storage to keep every run in


FULL = BenchSettings()
QUICK = replace(FULL, rounds=9, quick=True)


@dataclass(frozen=True)
class Plan:
    """What one bench run times: the workloads, and the recordings the probe left out."""

    workloads: tuple[Workload, ...]
    recordings: tuple[str, ...]
    left_out: dict[str, str]
    copies: int


async def plan(legacy: str, candidate: str, config: HarnessConfig, quick: bool) -> Plan:
    """The corpus selection (probed on the legacy, alone and with K copies at once) and the
    plug-in's workloads."""
    transcripts = corpus_selection(config, config.bench)
    if not transcripts:
        raise GateError("bench: no recording matches [tool.harness.bench] recordings/exclude")
    copies = config.bench.copies
    probe_side = CorpusSide("legacy", legacy, tuple(transcripts), config.bench, config)
    kept, left_out = await probe(probe_side, copies)
    if not kept:
        raise GateError(f"bench: no selected recording replays cleanly on the legacy: {next(iter(left_out.values()))}")
    sides = {side: CorpusSide(side, target, kept, config.bench, config)
             for side, target in (("legacy", legacy), ("candidate", candidate))}
    extra = tuple(load_subject(config).bench_workloads(quick))
    return Plan(corpus_workloads(sides, copies) + extra, tuple(t.name for t in kept), left_out, copies)


async def time_workload(workload: Workload, targets: dict[str, str], settings: BenchSettings) -> PairedTimings:
    """One workload, calibrated, warmed up and timed interleaved on both sides."""
    async with workload.rig("legacy", targets["legacy"]) as a:
        async with workload.rig("candidate", targets["candidate"]) as b:
            iterations = await calibrate(workload, (a, b), settings.min_round)
            await interleave(workload, a, b, settings.warmup_rounds, iterations)
            return await interleave(workload, a, b, settings.rounds, iterations)


async def measure(targets: dict[str, str], workloads: tuple[Workload, ...], settings: BenchSettings) -> list[PairedTimings]:
    """Every workload on both sides."""
    return [await time_workload(workload, targets, settings) for workload in workloads]


def overall_ratio(results: list[PairedTimings]) -> float:
    """Geometric mean of each workload's median paired ratio."""
    medians = [Spread.of(r.ratios).median for r in results]
    return math.exp(sum(math.log(m) for m in medians) / len(medians))


def workload_figures(timings: PairedTimings, workload: Workload) -> dict:
    """A workload's ratio spread and the per-iteration medians of each side."""
    per_op = {
        side: Spread.of([t / timings.iterations for t in values]).median
        for side, values in (("legacy", timings.legacy), ("candidate", timings.candidate))
    }
    figures = {
        "ratio": Spread.of(timings.ratios).to_dict(),
        "rounds": len(timings.ratios),
        "iterations_per_round": timings.iterations,
        "unit": workload.unit,
        "legacy_seconds_per_op": per_op["legacy"],
        "candidate_seconds_per_op": per_op["candidate"],
        "legacy_ops_per_second": round(1 / per_op["legacy"], 1),
        "candidate_ops_per_second": round(1 / per_op["candidate"], 1),
        "round_seconds_min": round(min(timings.legacy + timings.candidate), 4),
        "round_seconds_median": round(Spread.of(timings.legacy + timings.candidate).median, 4),
    }
    if isinstance(workload, CorpusWorkload):
        figures |= {f"{side}_replays_per_second": round(workload.replays_per_iteration / per_op[side], 1)
                    for side in per_op}
    return figures


def _attempt(targets: dict[str, str], bench: Plan, settings: BenchSettings) -> tuple[float, list[PairedTimings]]:
    results = asyncio.run(measure(targets, bench.workloads, settings))
    return overall_ratio(results), results


def _unclean(problem: UncleanReplay, bench: Plan, settings: BenchSettings) -> GateResult:
    """The candidate did not replay a recording cleanly under the bench's load: a failure."""
    return GateResult(
        name="bench",
        passed=False,
        summary="candidate did not replay the bench recordings cleanly",
        reason=str(problem),
        figures={"recordings": list(bench.recordings), "left_out": bench.left_out, "copies": bench.copies},
        thresholds={"max_ratio": settings.threshold},
    )


def bench_gate(legacy: str, candidate: str, reports: Path, config: HarnessConfig,
               settings: BenchSettings = FULL) -> GateResult:
    """Measure (retrying once on failure), store pytest-benchmark JSON and table, decide."""
    targets = {"legacy": legacy, "candidate": candidate}
    bench = asyncio.run(plan(legacy, candidate, config, settings.quick))
    try:
        ratio, results = _attempt(targets, bench, settings)
        attempts = [round(ratio, 4)]
        while ratio > settings.threshold and len(attempts) <= settings.retries:
            ratio, results = _attempt(targets, bench, settings)
            attempts.append(round(ratio, 4))
    except UncleanReplay as problem:
        if problem.side != "candidate":
            raise GateError(f"bench: {problem}") from None
        return _unclean(problem, bench, settings)
    return _judged(ratio, attempts, results, bench, reports, targets, settings)


def _judged(ratio: float, attempts: list[float], results: list[PairedTimings], bench: Plan, reports: Path,
            targets: dict[str, str], settings: BenchSettings) -> GateResult:
    json_path = write_benchmark_json(reports / "bench.json", results, targets)
    if settings.history is not None:
        save_history(json.loads(json_path.read_text(encoding="utf-8")), settings.history)
    (reports / "bench.txt").write_text(comparison_table(json_path), encoding="utf-8")
    passed = ratio <= settings.threshold
    by_name = {w.name: w for w in bench.workloads}
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
            "workloads": {r.workload: workload_figures(r, by_name[r.workload]) for r in results},
            "rounds": settings.rounds,
            "copies": bench.copies,
            "recordings": list(bench.recordings),
            "left_out": bench.left_out,
        },
        thresholds={
            "max_ratio": settings.threshold,
            "min_round_seconds": settings.min_round,
            "retries": settings.retries,
        },
        artifacts={"benchmark_json": "bench.json", "table": "bench.txt"},
    )
