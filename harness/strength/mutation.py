"""Mutation score: each sampled mutant of the candidate runs the golden master in its own process."""

from __future__ import annotations

import asyncio
import json
import pickle
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from harness.config import HarnessConfig
from harness.strength import baseline
from harness.strength.mutants import Mutant, mutants, mutate
from harness.strength.worker import Job


@dataclass(frozen=True)
class MutationOptions:
    """Which mutants to try and how long to spend."""

    legacy: str = "legacy"
    candidate: str = "refactored"
    files: tuple[Path, ...] = ()
    max_mutants: int = 40
    time_budget: float = 600.0
    mutant_timeout: float = 120.0
    seed: int = 0
    jobs: int = 2


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    killed: bool
    by: str | None
    seconds: float

    def to_dict(self) -> dict:
        return {**asdict(self.mutant), "where": self.mutant.where, "killed": self.killed,
                "by": self.by, "seconds": round(self.seconds, 2)}


@dataclass
class MutationResult:
    total_sites: int
    outcomes: list[Outcome] = field(default_factory=list)
    not_run: int = 0

    @property
    def killed(self) -> int:
        return sum(o.killed for o in self.outcomes)

    @property
    def score(self) -> float:
        return round(100.0 * self.killed / len(self.outcomes), 1) if self.outcomes else 0.0

    def to_dict(self) -> dict:
        survivors = [o.to_dict() for o in self.outcomes if not o.killed]
        return {"mutation_sites": self.total_sites, "mutants_run": len(self.outcomes),
                "killed": self.killed, "survived": len(survivors), "not_run": self.not_run,
                "score_percent": self.score, "survivors": survivors,
                "killed_by": {o.mutant.where: o.by for o in self.outcomes if o.killed}}


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


def sample(files: list[Path], options: MutationOptions) -> tuple[int, list[Mutant]]:
    """All sites, and a seeded sample of at most `max_mutants` of them (in file order)."""
    sites = [m for f in files for m in mutants(str(f), f.read_text(encoding="utf-8"))]
    chosen = random.Random(options.seed).sample(sites, min(options.max_mutants, len(sites)))
    return len(sites), sorted(chosen, key=lambda m: (m.path, m.index))


def run_job(job: Job, timeout: float) -> dict:
    """The golden master in a fresh process with the job's module source; a timeout counts as killed."""
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


def run_mutant(mutant: Mutant, items: list, options: MutationOptions, config: HarnessConfig,
               package: Path) -> Outcome:
    """One mutant against the baseline."""
    path = Path(mutant.path)
    job = Job(options.candidate, module_name(path, package), str(path.resolve()),
              mutate(path.read_text(encoding="utf-8"), mutant.index), config, items)
    started = time.perf_counter()
    answer = run_job(job, options.mutant_timeout)
    return Outcome(mutant, answer["killed"], answer["by"], time.perf_counter() - started)


def run_mutation(options: MutationOptions, recordings: list[Path], config: HarnessConfig,
                 package: Path, progress: Callable[[Outcome], None] = lambda o: None) -> MutationResult:
    """Baseline once, then the sampled mutants (`jobs` at a time) until the budget ends."""
    total, chosen = sample(candidate_files(options, package), options)
    items = asyncio.run(baseline.build(options.legacy, options.candidate, recordings, config))
    deadline = time.monotonic() + options.time_budget
    result = MutationResult(total)

    def one(mutant: Mutant) -> Outcome | None:
        if time.monotonic() > deadline:
            return None
        outcome = run_mutant(mutant, items, options, config, package)
        progress(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        outcomes = list(pool.map(one, chosen))
    result.outcomes = [o for o in outcomes if o is not None]
    result.not_run = len(outcomes) - len(result.outcomes)
    return result
