"""Declared equivalent mutants (`recordings/equivalent_mutants.toml`), reviewed like waivers.

A declaration names `file`, `line` and `mutation` (the mutant's description, e.g. `Equal ' == '`),
optionally `column`, and gives a `reason`; `kind` is `equivalent` (the mutant behaves the same)
or `unobservable` (it differs only where the wire cannot show it, e.g. the Python API). It matches
the site of that file with that description (and column, if given) whose line is nearest to
`line`, at most `LINE_TOLERANCE` lines away, so edits above it do not orphan it. Two sites equally
near are ambiguous: give `column`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.strength.mutants import Mutant
from harness.tomltables import check_fields, read_entries

DEFAULT_FILE = Path("recordings/equivalent_mutants.toml")
LINE_TOLERANCE = 5
KINDS = ("equivalent", "unobservable")
_FIELDS = {"file": str, "line": int, "mutation": str, "reason": str, "column": int, "kind": str}
_REQUIRED = ("file", "line", "mutation", "reason")


@dataclass(frozen=True)
class Declaration:
    """One reviewed mutant that the corpus is not expected to kill."""

    file: str
    line: int
    mutation: str
    reason: str
    column: int | None = None
    kind: str = "equivalent"
    source: str = ""

    def fits(self, mutant: Mutant) -> bool:
        return (Path(mutant.path).as_posix() == Path(self.file).as_posix()
                and mutant.description == self.mutation
                and self.column in (None, mutant.column)
                and abs(mutant.line - self.line) <= LINE_TOLERANCE)

    def to_dict(self) -> dict[str, Any]:
        return {"where": f"{self.file}:{self.line}", "mutation": self.mutation, "kind": self.kind,
                "reason": self.reason, "declared_at": self.source}


def load_declarations(path: Path) -> list[Declaration]:
    """Read `[[mutant]]` entries; a missing file means none; errors are `path:line: reason`."""
    return [_declaration(Path(path), line, entry) for line, entry in read_entries(path, "mutant")]


def _declaration(path: Path, line: int, entry: dict[str, Any]) -> Declaration:
    check_fields(path, line, entry, _FIELDS, _REQUIRED, "declaration")
    if entry.get("kind", KINDS[0]) not in KINDS:
        raise ConfigError(path, line, f"kind must be one of {', '.join(KINDS)}")
    return Declaration(source=f"{path}:{line}", **entry)


def _nearest(declaration: Declaration, sites: list[Mutant]) -> Mutant | None:
    fitting = [m for m in sites if declaration.fits(m)]
    if not fitting:
        return None
    best = min(abs(m.line - declaration.line) for m in fitting)
    nearest = [m for m in fitting if abs(m.line - declaration.line) == best]
    if len(nearest) > 1:
        columns = ", ".join(str(m.column) for m in nearest)
        path, line = declaration.source.rsplit(":", 1)
        raise ConfigError(path, int(line), f"{len(nearest)} mutants {declaration.mutation} on line "
                                           f"{nearest[0].line} (columns {columns}): add 'column'")
    return nearest[0]


@dataclass(frozen=True)
class Matched:
    """Which site each declaration names; declarations that name none are unused."""

    by_site: dict[tuple[str, int], Declaration]
    unused: list[Declaration]

    def declaration(self, mutant: Mutant) -> Declaration | None:
        return self.by_site.get((mutant.path, mutant.index))


def match(declarations: list[Declaration], sites: list[Mutant]) -> Matched:
    """Match every declaration against every site (not only the sampled ones)."""
    by_site: dict[tuple[str, int], Declaration] = {}
    unused = []
    for declaration in declarations:
        site = _nearest(declaration, sites)
        if site is None:
            unused.append(declaration)
        else:
            by_site[(site.path, site.index)] = declaration
    return Matched(by_site, unused)
