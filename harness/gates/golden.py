"""The golden gate: the corpus comparison has no unwaived difference, failure or unused waiver."""

from __future__ import annotations

from typing import Any, Protocol

from harness.gates.result import GateResult


class CorpusLike(Protocol):
    """What the gate needs from the harness core's ``CorpusResult``."""

    @property
    def unwaived_count(self) -> int: ...

    def to_dict(self) -> dict[str, Any]: ...


def _figures(data: dict[str, Any]) -> dict[str, Any]:
    recordings = data.get("recordings", [])
    return {
        "recordings": len(recordings),
        "matching": sum(1 for r in recordings if r.get("ok") and not r.get("not_applicable")),
        "not_applicable": [r.get("name") for r in recordings if r.get("not_applicable")],
        "unwaived_differences": sum(len(r.get("differences", [])) for r in recordings),
        "failed_recordings": [r.get("name") for r in recordings if r.get("error")],
        "waived_differences": sum(len(r.get("waived", [])) for r in recordings),
        "unused_waivers": len(data.get("unused_waivers", [])),
    }


def _problems(figures: dict[str, Any], unwaived: int) -> list[tuple[str, str]]:
    """(stable summary, detail with figures) for each way the corpus fails the gate."""
    failed = figures["failed_recordings"]
    checks = (
        (figures["recordings"] == 0, "no recordings", "the corpus holds no recording"),
        (
            unwaived > len(failed),
            "candidate differs from the recordings",
            f"{figures['unwaived_differences']} unwaived difference(s)",
        ),
        (bool(failed), "recordings failed to replay", f"failed recordings: {', '.join(map(str, failed))}"),
        (figures["unused_waivers"] > 0, "unused waivers", f"{figures['unused_waivers']} unused waiver(s)"),
    )
    return [(summary, detail) for bad, summary, detail in checks if bad]


def _not_run(figures: dict[str, Any]) -> str:
    skipped = figures["not_applicable"]
    return f", {len(skipped)} not applicable to the candidate" if skipped else ""


def golden_gate(result: CorpusLike) -> GateResult:
    """Judge a corpus comparison; the full comparison is kept for the reports."""
    data = result.to_dict()
    figures = _figures(data)
    problems = _problems(figures, result.unwaived_count)
    return GateResult(
        name="golden",
        passed=not problems,
        summary=", ".join(p[0] for p in problems) or "candidate matches every recording",
        reason="; ".join(p[1] for p in problems)
        or f"{figures['matching']} of {figures['recordings']} recordings match{_not_run(figures)}",
        figures=figures | {"corpus": data},
        thresholds={"unwaived_differences": 0, "failed_recordings": 0, "unused_waivers": 0},
    )
