"""Which mutants a run tries: every site, a seeded sample, given lines, or an earlier run's survivors."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.strength.mutants import Mutant
from harness.strength.results import Outcome, Sampling, previous_outcomes


@dataclass(frozen=True)
class Pick:
    """`max_mutants` (0: every site) sampled with `seed`, unless `where` (`file:line`) or
    `survivors` (re-run the survivors and declared equivalents of the previous report) is given."""

    max_mutants: int = 40
    seed: int = 0
    where: tuple[str, ...] = ()
    survivors: bool = False

    @property
    def rerun(self) -> bool:
        return bool(self.where) or self.survivors


def parse_where(text: str) -> tuple[str, int]:
    """`refactored/server.py:78` -> ("refactored/server.py", 78)."""
    path, _, line = text.rpartition(":")
    if not path or not line.isdigit():
        raise HarnessError(f"--where {text}: want FILE:LINE")
    return Path(path).as_posix(), int(line)


def _sample(sites: list[Mutant], pick: Pick) -> list[Mutant]:
    if pick.max_mutants <= 0 or pick.max_mutants >= len(sites):
        return list(sites)
    return random.Random(pick.seed).sample(sites, pick.max_mutants)


def _at(sites: list[Mutant], where: tuple[str, ...]) -> list[Mutant]:
    wanted = {parse_where(w) for w in where}
    return [m for m in sites if (Path(m.path).as_posix(), m.line) in wanted]


def _same(sites: list[Mutant], earlier: list[Outcome]) -> list[Mutant]:
    keys = {(o.mutant.path, o.mutant.index, o.mutant.description) for o in earlier}
    return [m for m in sites if (m.path, m.index, m.description) in keys]


def _survivors(sites: list[Mutant], previous: dict[str, Any]) -> list[Mutant]:
    return _same(sites, [o for o in previous_outcomes(previous) if not o.killed])


def choose(sites: list[Mutant], pick: Pick, previous: dict[str, Any]) -> tuple[list[Mutant], Sampling]:
    """The mutants to run (in file order) and how they were sampled (a re-run keeps the previous
    report's sampling, since its outcomes are merged into that report)."""
    if pick.rerun:
        chosen = _at(sites, pick.where) + (_survivors(sites, previous) if pick.survivors else [])
        chosen = list(dict.fromkeys(chosen))
    else:
        chosen = _sample(sites, pick)
    sample = previous.get("sample", {}) if pick.rerun else {}
    sampling = Sampling(len(sites), sample.get("size", len(chosen)), sample.get("seed", pick.seed))
    return sorted(chosen, key=lambda m: (m.path, m.index)), sampling


def merge(earlier: dict[str, Any], fresh: list[Outcome]) -> list[Outcome]:
    """The previous report's outcomes with those of the re-run mutants replaced (or added)."""
    key = lambda o: (o.mutant.path, o.mutant.index, o.mutant.description)  # noqa: E731
    replaced = {key(o): o for o in fresh}
    kept = [o for o in previous_outcomes(earlier) if key(o) not in replaced]
    return sorted(kept + fresh, key=lambda o: (o.mutant.path, o.mutant.index))
