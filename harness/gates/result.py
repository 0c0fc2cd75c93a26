"""The result every gate returns: figures, thresholds and a decision with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from harness.errors import HarnessError


@dataclass(frozen=True)
class GateResult:
    """One gate's outcome.

    ``summary`` is stable from run to run (no measured figures) so that it can be written into
    the shim; ``reason`` may quote figures. A ``skipped`` gate does not apply to the targets: it
    neither passes nor fails, and ``reason`` says why.
    """

    name: str
    passed: bool
    summary: str
    reason: str
    figures: dict[str, Any] = field(default_factory=dict)
    thresholds: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    skipped: bool = False

    @property
    def failed(self) -> bool:
        return not (self.passed or self.skipped)

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
            "skipped": self.skipped,
            "summary": self.summary,
            "reason": self.reason,
            "figures": self.figures,
            "thresholds": self.thresholds,
            "artifacts": self.artifacts,
        }


def result_from_dict(data: dict[str, Any]) -> GateResult:
    """The inverse of ``GateResult.to_dict``."""
    return GateResult(**{f.name: data[f.name] for f in fields(GateResult) if f.name in data})


class GateError(HarnessError):
    """A gate could not be evaluated (a harness or usage problem, not a failed gate)."""
