"""The fuzz gate: a bounded differential fuzz run, legacy against candidate.

Recordings only cover what someone thought to record; this gate generates sessions nobody
recorded and fails when the candidate answers one of them differently (declared waivers apply).
A finding is written to `<reports>/found/` as a shrunk `wsgm/1` transcript for review.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.config import HarnessConfig
from harness.fuzz.runner import FuzzOptions, FuzzResult, run_fuzz
from harness.gates.result import GateResult


@dataclass(frozen=True)
class FuzzEffort:
    """How much generation one gate run may spend."""

    max_examples: int
    time_budget: float


QUICK = FuzzEffort(max_examples=120, time_budget=30.0)
FULL = FuzzEffort(max_examples=600, time_budget=90.0)
SEED = 0  # fixed, so that the same tree gets the same verdict


def fuzz_gate(
    legacy: str, candidate: str, reports: Path, effort: FuzzEffort, config: HarnessConfig
) -> GateResult:
    """Run the fuzzer within `effort`; passes when no difference was found."""
    options = FuzzOptions(
        legacy, candidate, effort.max_examples, effort.time_budget, SEED, reports / "found", config
    )
    return fuzz_result(run_fuzz(options), effort)


def fuzz_result(run: FuzzResult, effort: FuzzEffort) -> GateResult:
    """The gate's figures from one fuzz run."""
    figures = {
        "sessions": run.stats.examples,
        "compared": run.stats.replayed,
        "seconds": round(run.seconds, 1),
        "sessions_per_second": round(run.rate, 1),
        "seed": run.seed,
        "found": str(run.written) if run.found else None,
        "found_after_sessions": run.found_after[0] if run.found_after else None,
        "success_percent": (run.success.get("all") or {}).get("success_percent"),
        "success_percent_by_kind": {kind: share["success_percent"]
                                    for kind, share in run.success.get("kinds", {}).items()},
    }
    thresholds = {"max_examples": effort.max_examples, "time_budget_seconds": effort.time_budget}
    if run.found:
        return GateResult("fuzz", False, "a generated session differs", run.summary(), figures, thresholds,
                          {"found": str(run.written)})
    return GateResult("fuzz", True, "no generated session differs", run.summary(), figures, thresholds)
