"""Which recordings execute each line of the candidate: one coverage.py dynamic context per recording."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

import coverage

from harness.strength.mutants import Mutant

Replay = Callable[[str], Awaitable[object]]


@dataclass(frozen=True)
class LineCoverage:
    """Recordings (by key) per executed line, and the executable lines, of each candidate file."""

    lines: dict[str, dict[int, frozenset[str]]]
    statements: dict[str, frozenset[int]]

    def executed_by(self, path: str, line: int) -> frozenset[str]:
        return self.lines.get(str(Path(path).resolve()), {}).get(line, frozenset())

    def is_statement(self, path: str, line: int) -> bool:
        return line in self.statements.get(str(Path(path).resolve()), frozenset())


@dataclass(frozen=True)
class Selection:
    """The recordings a mutant runs against: `kind` says why (see `select`)."""

    kind: str
    keys: frozenset[str]

    @property
    def covered(self) -> bool:
        return bool(self.keys)


def select(mutant: Mutant, cover: LineCoverage, every: frozenset[str]) -> Selection:
    """Import-time statements and lines coverage does not measure run against every recording
    (their effect is not tied to one line running); other lines only against the recordings that
    execute them, none meaning `not covered`."""
    if not mutant.in_function:
        return Selection("import time", every)
    if not cover.is_statement(mutant.path, mutant.statement):
        return Selection("unmeasured line", every)
    keys = cover.executed_by(mutant.path, mutant.statement) & every
    return Selection("covered" if keys else "not covered", keys)


def _contexts(cov: coverage.Coverage, files: list[Path]) -> LineCoverage:
    data = cov.get_data()
    lines: dict[str, dict[int, frozenset[str]]] = {}
    statements: dict[str, frozenset[int]] = {}
    for path in (str(f.resolve()) for f in files):
        by_line = data.contexts_by_lineno(path) if path in data.measured_files() else {}
        lines[path] = {line: frozenset(c for c in names if c) for line, names in by_line.items()}
        statements[path] = frozenset(cov.analysis2(path)[1])
    return LineCoverage(lines, statements)


async def _each(keys: list[str], replay: Replay, cov: coverage.Coverage) -> dict[str, tuple[object, float]]:
    out = {}
    for key in keys:
        cov.switch_context(key)
        started = time.perf_counter()
        observation = await replay(key)
        out[key] = (observation, time.perf_counter() - started)
    cov.switch_context("")
    return out


def measure_lines(keys: list[str], replay: Replay, package: Path,
                  files: list[Path]) -> tuple[dict[str, tuple[object, float]], LineCoverage]:
    """Replay each key one at a time under coverage (candidate package only), recording which
    lines each executes; returns each replay's result and duration, and the line coverage."""
    cov = coverage.Coverage(data_file=None, source=[str(package.resolve())], config_file=False)
    logging.disable(logging.ERROR)
    cov.start()
    try:
        results = asyncio.run(_each(keys, replay, cov))
    finally:
        cov.stop()
        logging.disable(logging.NOTSET)
    return results, _contexts(cov, files)
