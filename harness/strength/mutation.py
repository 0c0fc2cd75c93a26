"""Mutation score: each mutant of the candidate runs, in its own process, the recordings that
execute its line (fastest first, until one kills it)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from harness.config import HarnessConfig
from harness.strength import baseline
from harness.strength.equivalents import DEFAULT_FILE, Matched, load_declarations, match
from harness.strength.linecover import select
from harness.strength.mutants import Mutant, mutants, mutate
from harness.strength.picking import Pick, choose, merge
from harness.strength.results import MutationResult, Outcome
from harness.strength.worker import Job


@dataclass(frozen=True)
class MutationOptions:
    """Which mutants to try, against what, and how long to spend."""

    legacy: str = "legacy"
    candidate: str = "refactored"
    files: tuple[Path, ...] = ()
    pick: Pick = Pick()
    time_budget: float = 600.0
    mutant_timeout: float = 120.0
    jobs: int = 2
    replays: int = 4
    equivalents: Path = DEFAULT_FILE


def module_name(path: Path, package: Path) -> str:
    """`<package>/handlers/auth.py` -> `refactored.handlers.auth`."""
    relative = path.resolve().relative_to(package.resolve().parent)
    return ".".join(relative.with_suffix("").parts)


def _shown(path: Path) -> Path:
    cwd = Path.cwd().resolve()
    path = path.resolve()
    return path.relative_to(cwd) if cwd in path.parents else path


def candidate_files(options: MutationOptions, package: Path) -> list[Path]:
    """The files given, or every non-`__init__` module of the candidate package."""
    files = options.files or tuple(sorted(package.rglob("*.py")))
    return [_shown(f) for f in files if f.name != "__init__.py"]


def all_sites(files: list[Path]) -> list[Mutant]:
    return [m for f in files for m in mutants(str(f), f.read_text(encoding="utf-8"))]


def run_job(job: Job, timeout: float) -> dict:
    """The job in a fresh process; a timeout counts as killed."""
    with tempfile.NamedTemporaryFile(suffix=".job") as handle:
        pickle.dump(job, handle)
        handle.flush()
        try:
            done = subprocess.run([sys.executable, "-m", "harness.strength.worker", handle.name],
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"killed": True, "by": f"timeout after {timeout:g} s"}
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {"killed": True, "by": f"worker exited {done.returncode}"}


def timeout_for(items: list[baseline.Expected], options: MutationOptions) -> float:
    """Generous for the recordings chosen (30 s + 4x their baseline time), at most `mutant_timeout`."""
    return min(options.mutant_timeout, 30.0 + 4.0 * sum(item.seconds for item in items))


@dataclass
class Run:
    """One run's fixed inputs: options, configuration, the candidate package and the baseline."""

    options: MutationOptions
    config: HarnessConfig
    package: Path
    base: baseline.Baseline
    matched: Matched
    deadline: float
    progress: Callable[[Outcome], None] = lambda outcome: None
    control: dict[str, Any] = field(default_factory=dict)

    def job(self, mutant: Mutant, source: str, items: list[baseline.Expected]) -> Job:
        path = Path(mutant.path)
        return Job(self.options.candidate, module_name(path, self.package), str(path.resolve()),
                   source, self.config, items, self.options.replays)

    def mutant(self, mutant: Mutant) -> Outcome | None:
        """One mutant: a survivor at once if no recording executes its line, else its recordings."""
        if time.monotonic() > self.deadline:
            return None
        chosen = select(mutant, self.base.coverage, self.base.keys)
        items = self.base.chosen(chosen.keys)
        started = time.perf_counter()
        answer = {"killed": False, "by": None}
        if chosen.covered:
            source = mutate(Path(mutant.path).read_text(encoding="utf-8"), mutant.index)
            answer = run_job(self.job(mutant, source, items), timeout_for(items, self.options))
        outcome = Outcome(mutant, answer["killed"], answer["by"], time.perf_counter() - started,
                          chosen.kind, len(items), self.matched.declaration(mutant))
        self.progress(outcome)
        return outcome

    def check_control(self, first: Mutant) -> None:
        """The unmutated module against every recording: it must survive, or kills are not trustworthy."""
        items = list(self.base.items)
        source = Path(first.path).read_text(encoding="utf-8")
        self.control.update(run_job(self.job(first, source, items), timeout_for(items, self.options)))


def run_mutation(options: MutationOptions, recordings: list[Path], config: HarnessConfig, package: Path,
                 progress: Callable[[Outcome], None] = lambda o: None,
                 previous: dict[str, Any] | None = None) -> MutationResult:
    """Baseline once, then the chosen mutants (`jobs` at a time) until the time budget ends."""
    started = time.perf_counter()
    files = candidate_files(options, package)
    sites = all_sites(files)
    matched = match(load_declarations(options.equivalents), sites)
    chosen, sampling = choose(sites, options.pick, previous or {})
    base = baseline.build(options.legacy, options.candidate, recordings, config, package, files)
    run = Run(options, config, package, base, matched, time.monotonic() + options.time_budget, progress)
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        control = pool.submit(run.check_control, sites[0]) if sites else None
        outcomes = list(pool.map(run.mutant, chosen))
        control and control.result()
    done = [o for o in outcomes if o is not None]
    if options.pick.rerun:
        done = [_declared(o, matched) for o in merge(previous or {}, done)]
    extra = {"recordings": len(base.items), "control": run.control, "selection": _kinds(outcomes),
             "baseline_seconds": round(base.seconds, 1), "seconds": round(time.perf_counter() - started, 1)}
    return MutationResult(sampling, done, len(outcomes) - sum(o is not None for o in outcomes),
                          matched.unused, extra)


def _declared(outcome: Outcome, matched: Matched) -> Outcome:
    return Outcome(outcome.mutant, outcome.killed, outcome.by, outcome.seconds, outcome.selection,
                   outcome.covered_by, matched.declaration(outcome.mutant))


def _kinds(outcomes: list[Outcome | None]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for outcome in filter(None, outcomes):
        kinds[outcome.selection] = kinds.get(outcome.selection, 0) + 1
    return kinds
