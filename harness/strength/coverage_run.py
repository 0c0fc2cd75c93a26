"""Line and branch coverage of legacy and candidate while the corpus is replayed (coverage.py API)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import coverage

from harness.config import HarnessConfig
from harness.errors import HarnessError
from harness.strength.replays import replay_all
from harness.targets import on_import_path, parse_target


@dataclass(frozen=True)
class Coverage:
    """Coverage of one target's package."""

    target: str
    package: str
    statements: int
    covered_lines: int
    branches: int
    covered_branches: int
    missing_branches: list[str] = field(default_factory=list)

    @property
    def line_percent(self) -> float:
        return round(100.0 * self.covered_lines / self.statements, 2) if self.statements else 0.0

    @property
    def branch_percent(self) -> float:
        return round(100.0 * self.covered_branches / self.branches, 2) if self.branches else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "line_percent": self.line_percent, "branch_percent": self.branch_percent}


def package_dir(target: str, config: HarnessConfig) -> Path:
    """The directory of the top-level package of an in-process target (found without importing it,
    so its module-level lines count when they run under coverage)."""
    spec = parse_target(target, config)
    if not spec.in_process:
        raise HarnessError(f"coverage needs an in-process target, not {target}")
    on_import_path(spec)
    found = importlib.util.find_spec(spec.module.split(".")[0])
    if found is None or not found.submodule_search_locations:
        raise HarnessError(f"coverage: {target}: not a package")
    return Path(list(found.submodule_search_locations)[0])


def _ranges(lines: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for line in sorted(set(lines)):
        if out and line == out[-1][1] + 1:
            out[-1] = (out[-1][0], line)
        else:
            out.append((line, line))
    return out


def branch_ranges(path: str, arcs: list[list[int]]) -> list[str]:
    """Missing branches as `file:line` ranges of their source lines (`file:a-b`)."""
    return [f"{path}:{a}" if a == b else f"{path}:{a}-{b}" for a, b in _ranges([arc[0] for arc in arcs])]


def summarise(target: str, root: Path, files: dict, cwd: Path) -> Coverage:
    """Totals over the files under `root`, from coverage's JSON report."""
    totals = {"statements": 0, "covered_lines": 0, "branches": 0, "covered_branches": 0}
    missing: list[str] = []
    for name, data in sorted(files.items()):
        path = Path(name).resolve()
        if root not in path.parents:
            continue
        summary = data["summary"]
        for key, source in (("statements", "num_statements"), ("covered_lines", "covered_lines"),
                            ("branches", "num_branches"), ("covered_branches", "covered_branches")):
            totals[key] += summary[source]
        missing += branch_ranges(_relative(path, cwd), data.get("missing_branches", []))
    return Coverage(target, root.name, missing_branches=missing, **totals)


def _relative(path: Path, cwd: Path) -> str:
    return str(path.relative_to(cwd)) if cwd in path.parents else str(path)


def measure(targets: list[str], recordings: list[Path], config: HarnessConfig) -> list[Coverage]:
    """Replay the corpus once per target under coverage (branch=True); one figure per target."""
    roots = {target: package_dir(target, config).resolve() for target in targets}
    cov = coverage.Coverage(branch=True, data_file=None, source=[str(r) for r in roots.values()])
    cov.start()
    logging.disable(logging.ERROR)
    try:
        for target in targets:
            asyncio.run(replay_all(target, recordings, config))
    finally:
        logging.disable(logging.NOTSET)
        cov.stop()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        cov.json_report(outfile=str(out), show_contexts=False)
        files = json.loads(out.read_text())["files"]
    cwd = Path.cwd().resolve()
    return [summarise(target, roots[target], files, cwd) for target in targets]
