"""The verdict: run the gates, write ``verdict.json``, point the shim, give the exit code.

``verdict.json`` also carries the golden master's strength (corpus coverage, mutation score and
their trend, read from the strength report) under ``information``: shown, never judged.

Exit codes: 0 every gate passed or was skipped, 1 a gate failed (the shim falls back to legacy), 2
a gate could not run (usage or harness error; the shim falls back to legacy too). A gate that
cannot apply to a target is ``skipped`` with its reason; a required gate's skip is a failure. A
partial run (``only``) that passes leaves the shim as it was: only the full gate set may switch
it to the candidate. Without a shim (``shim = ""``) the verdict and reports are written and no
import is rewritten.
"""

from __future__ import annotations

import datetime
import json
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, Mapping

from harness.codemods.shim import ShimChoice, write_shim
from harness.config import HarnessConfig
from harness.gates.result import GateResult, NotApplicable
from harness.gates.runners import GateOptions
from harness.strength import report as strength
from harness.targets import parse_target
from harness.errors import HarnessError

GateRunner = Callable[[GateOptions], GateResult]
VERSIONED = ("websockets", "radon", "memray", "libcst", "pytest-benchmark", "matplotlib", "pyflakes", "griffe", "psutil",
             "wsgm")


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def versions() -> dict[str, str]:
    """The interpreter's and each tool's version."""
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


@dataclass(frozen=True)
class Verdict:
    """Every gate's result (or the error that stopped it) and what follows for the shim."""

    results: tuple[GateResult, ...]
    errors: dict[str, str]
    complete: bool
    started_at: str
    finished_at: str = field(default_factory=now)

    @property
    def failed(self) -> list[GateResult]:
        return [r for r in self.results if not r.passed]

    @property
    def skipped(self) -> list[GateResult]:
        return [r for r in self.results if r.skipped]

    @property
    def passed(self) -> bool:
        return not self.failed and not self.errors

    @property
    def exit_code(self) -> int:
        return 2 if self.errors else (1 if self.failed else 0)

    @property
    def exposes_candidate(self) -> bool | None:
        """True: switch to the candidate; False: fall back to legacy; None: leave the shim."""
        if not self.passed:
            return False
        return True if self.complete else None

    def reason(self) -> str:
        """Why, in words that do not change from run to run (figures stay in verdict.json)."""
        problems = [f"{name} could not run (harness error)" for name in self.errors]
        problems += [f"{r.name} failed ({r.summary})" for r in self.failed]
        if problems:
            return "; ".join(problems)
        names = ", ".join(r.name for r in self.results if not r.skipped) or "none measured"
        passed = f"all gates passed: {names}" if self.complete else f"gates passed (partial run): {names}"
        skipped = ", ".join(r.name for r in self.skipped)
        return f"{passed}; skipped: {skipped}" if skipped else passed


def run_gate(name: str, gate: GateRunner, options: GateOptions) -> GateResult:
    """One gate's result; a gate that cannot apply to a target is a skip with the reason."""
    try:
        return gate(options)
    except NotApplicable as exc:
        return GateResult.skip(name, str(exc))


def run_gates(
    gates: Mapping[str, GateRunner], options: GateOptions, complete: bool, required: frozenset[str] = frozenset()
) -> Verdict:
    """Run each gate in order; a harness error in one gate is recorded and the others still run.
    A skip of a gate in ``required`` is a failure."""
    started = now()
    results, errors = [], {}
    for name, gate in gates.items():
        try:
            result = run_gate(name, gate, options)
        except HarnessError as exc:
            errors[name] = str(exc)
            continue
        results.append(result.required() if name in required else result)
    return Verdict(tuple(results), errors, complete, started)


def shim_choice(
    verdict: Verdict, legacy: str, candidate: str, config: HarnessConfig | None = None
) -> ShimChoice | None:
    """The shim's import line and constants for this verdict, or None to leave it as it is."""
    switch = verdict.exposes_candidate
    if switch is None:
        return None
    spec = parse_target(candidate if switch else legacy, config)
    if not spec.in_process:
        return None
    return ShimChoice(spec.module, spec.attr, exposed_name(candidate, spec.module) if switch else "legacy",
                      verdict.reason() + "; figures in verdict.json")


def exposed_name(candidate: str, module: str) -> str:
    """The shim's ``EXPOSED`` for the candidate: its configured short name, else its module."""
    return candidate if candidate.isidentifier() else module


def verdict_document(verdict: Verdict, options: GateOptions, shim: dict, information: dict) -> dict:
    """``verdict.json``: decision, reason, per-gate results, thresholds, information, versions, timestamps."""
    return {
        "decision": "pass" if verdict.passed else ("error" if verdict.errors else "fail"),
        "exit_code": verdict.exit_code,
        "reason": verdict.reason(),
        "legacy": options.legacy,
        "candidate": options.candidate,
        "quick": options.quick,
        "complete": verdict.complete,
        "shim": shim,
        "gates": {r.name: r.to_dict() for r in verdict.results},
        "errors": verdict.errors,
        "thresholds": {r.name: r.thresholds for r in verdict.results},
        "information": information,
        "versions": versions(),
        "started_at": verdict.started_at,
        "finished_at": verdict.finished_at,
    }


SHIM_OFF = {"path": None, "exposed": "off", "changed": False}


def point_shim(verdict: Verdict, options: GateOptions, shim_path: Path | None) -> dict:
    """Rewrite the shim when the verdict says so; what happened to it (``off`` without a shim)."""
    if shim_path is None:
        return dict(SHIM_OFF)
    choice = shim_choice(verdict, options.legacy, options.candidate, options.config)
    changed = write_shim(shim_path, choice) if choice else False
    return {"path": str(shim_path), "exposed": choice.exposed if choice else "unchanged", "changed": changed}


def apply_verdict(verdict: Verdict, options: GateOptions, shim_path: Path | None, strength_path: Path) -> dict:
    """Rewrite the shim (when the verdict says so and there is one) and write ``verdict.json``;
    the document. ``strength_path`` is the strength report whose figures go in as information only.
    """
    shim = point_shim(verdict, options, shim_path)
    document = verdict_document(verdict, options, shim, {"strength": strength.information(strength_path)})
    options.reports.mkdir(parents=True, exist_ok=True)
    (options.reports / "verdict.json").write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    return document
