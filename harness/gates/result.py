"""The result every gate returns: figures, thresholds and a decision with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from harness.errors import GateError, NotApplicable  # noqa: F401  (raised by gates, imported from here)


@dataclass(frozen=True)
class GateResult:
    """One gate's outcome.

    ``summary`` is stable from run to run (no measured figures) so that it can be written into
    the shim; ``reason`` may quote figures. A ``skipped`` gate could not apply to the targets
    (``reason`` says why): it does not fail the verdict unless the run requires it.
    """

    name: str
    passed: bool
    summary: str
    reason: str
    figures: dict[str, Any] = field(default_factory=dict)
    thresholds: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    skipped: bool = False

    @classmethod
    def skip(cls, name: str, reason: str) -> "GateResult":
        """The result of a gate that cannot apply to these targets."""
        return cls(name, True, "skipped: cannot apply to these targets", reason, skipped=True)

    def required(self) -> "GateResult":
        """This result when the run requires the gate: a skip becomes a failure."""
        if not self.skipped:
            return self
        return replace(self, passed=False, skipped=False, summary="required, but skipped",
                       reason=f"required, but skipped: {self.reason}")

    @property
    def decision(self) -> str:
        """``"pass"``, ``"fail"`` or ``"skipped"``."""
        return "skipped" if self.skipped else ("pass" if self.passed else "fail")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "name": self.name,
            "decision": self.decision,
            "passed": self.passed,
            "summary": self.summary,
            "reason": self.reason,
            "figures": self.figures,
            "thresholds": self.thresholds,
            "artifacts": self.artifacts,
            "skipped": self.skipped,
        }


def result_from_dict(data: dict[str, Any]) -> GateResult:
    """The inverse of ``GateResult.to_dict``."""
    return GateResult(**{f.name: data[f.name] for f in fields(GateResult) if f.name in data})


