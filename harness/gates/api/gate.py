"""Judge the api differences: none unwaived, no api waiver unused; a non-Python target is a skip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.config import HarnessConfig
from harness.gates.api import runtime, static
from harness.gates.api.model import ApiDifference, unique
from harness.gates.api.waivers import Judged, apply_api_waivers, load_api_waivers
from harness.gates.result import GateResult, NotApplicable
from harness.targets import load_server_class, parse_target

NAME = "api"
THRESHOLDS = {"unwaived_differences": 0, "unused_waivers": 0}


def api_gate(
    legacy: str, candidate: str, waivers_file: Path, timeout: float, config: HarnessConfig | None = None
) -> GateResult:
    """Compare the public surface of the candidate class with the legacy class.

    Raises NotApplicable (the gate is skipped) when a target is not a Python class.
    """
    specs = [parse_target(target, config) for target in (legacy, candidate)]
    outside = [spec.spec for spec in specs if not spec.in_process]
    if outside:
        raise NotApplicable(f"{', '.join(outside)}: not an import path (module:Class); "
                            "the api gate compares Python classes")
    old, new = (load_server_class(spec) for spec in specs)
    differences, compared, added = compare(old, new, timeout)
    waivers = load_api_waivers(waivers_file)
    judged = apply_api_waivers(differences, waivers if old is not new else [])
    return _result(judged, compared, added)


def compare(old: type, new: type, timeout: float) -> tuple[list[ApiDifference], int, list[str]]:
    """(differences, how many legacy members were compared, names only the candidate has)."""
    old_static, new_static = static.griffe_class(old), static.griffe_class(new)
    old_runtime, new_runtime = runtime.surface(old, timeout), runtime.surface(new, timeout)
    differences = unique(
        static.breaking_changes(old_static, new_static)
        + static.exception_changes(old_static, new_static)
        + runtime.runtime_changes(old_runtime, new_runtime)
    )
    compared = len(set(static.public_members(old_static)) | old_runtime.names)
    return differences, compared, runtime.additions(old_runtime, new_runtime)


def _figures(judged: Judged, compared: int, added: list[str]) -> dict[str, Any]:
    return {
        "members_compared": compared,
        "differences": len(judged.unwaived) + len(judged.waived),
        "unwaived_differences": len(judged.unwaived),
        "waived_differences": len(judged.waived),
        "unused_waivers": len(judged.unused),
        "candidate_additions": len(added),
        "unwaived": [d.to_dict() for d in judged.unwaived],
        "waived": [{"difference": d.to_dict(), "waiver": w.to_dict()} for d, w in judged.waived],
        "unused": [w.to_dict() for w in judged.unused],
        "additions": added,
    }


def _result(judged: Judged, compared: int, added: list[str]) -> GateResult:
    problems = [("candidate API differs from legacy", [d.line() for d in judged.unwaived]),
                ("unused api waivers", [f"{w.source}: unused api waiver for {w.member}" for w in judged.unused])]
    problems = [(summary, lines) for summary, lines in problems if lines]
    passed_reason = (f"{compared} legacy members compared: {len(judged.waived)} difference(s), all waived; "
                     f"{len(added)} candidate addition(s)")
    return GateResult(
        name=NAME,
        passed=not problems,
        summary=", ".join(summary for summary, _ in problems) or "candidate offers the legacy API",
        reason="; ".join(line for _, lines in problems for line in lines) or passed_reason,
        figures=_figures(judged, compared, added),
        thresholds=THRESHOLDS,
    )
