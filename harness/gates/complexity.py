"""Complexity gate: radon cyclomatic complexity and maintainability index, side by side."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from radon.complexity import cc_rank, cc_visit
from radon.metrics import mi_rank, mi_visit
from radon.visitors import Class

from harness.gates.result import GateError, GateResult

CC_LIMIT = 10
MI_RANK = "A"


@dataclass(frozen=True)
class Block:
    """One function, method or closure, as radon sees it."""

    name: str
    lineno: int
    complexity: int
    rank: str


@dataclass(frozen=True)
class ModuleFigures:
    """radon's figures for one module."""

    path: str
    mi: float
    mi_rank: str
    worst: Block | None
    average_cc: float
    over_limit: tuple[Block, ...]


@dataclass(frozen=True)
class TreeFigures:
    """radon's figures for a package or a single module."""

    root: str
    modules: tuple[ModuleFigures, ...]

    @property
    def over_limit(self) -> list[str]:
        return [f"{m.path}:{b.lineno} {b.name} (CC {b.complexity})" for m in self.modules for b in m.over_limit]

    @property
    def below_rank(self) -> list[str]:
        return [f"{m.path} (MI {m.mi:.1f}, rank {m.mi_rank})" for m in self.modules if m.mi_rank != MI_RANK]

    def to_dict(self) -> dict:
        worst = max((m.worst for m in self.modules if m.worst), key=lambda b: b.complexity, default=None)
        return {
            "root": self.root,
            "modules": [asdict(m) for m in self.modules],
            "worst_block": asdict(worst) if worst else None,
            "min_mi": min((m.mi for m in self.modules), default=None),
            "over_limit": self.over_limit,
            "below_mi_rank": self.below_rank,
        }


def _flatten(blocks: Iterable) -> Iterator[Block]:
    """Each function once: radon lists methods flat already and closures only nested; a class
    block (its methods' average + 1) is left out."""
    for block in blocks:
        if isinstance(block, Class):
            continue
        yield Block(block.fullname, block.lineno, block.complexity, cc_rank(block.complexity))
        yield from _flatten(block.closures)


def module_figures(path: Path, root: Path, limit: int = CC_LIMIT) -> ModuleFigures:
    """radon figures for one source file."""
    source = path.read_text(encoding="utf-8")
    try:
        blocks = list(_flatten(cc_visit(source)))
        mi = mi_visit(source, multi=True)
    except SyntaxError as exc:
        raise GateError(f"{path}:{exc.lineno}: cannot be parsed: {exc.msg}") from exc
    worst = max(blocks, key=lambda b: b.complexity, default=None)
    average = sum(b.complexity for b in blocks) / len(blocks) if blocks else 0.0
    over = tuple(b for b in blocks if b.complexity > limit)
    rel = path.relative_to(root.parent).as_posix() if root.is_dir() else path.name
    return ModuleFigures(rel, round(mi, 2), mi_rank(mi), worst, round(average, 2), over)


def _modules(root: Path, limit: int) -> tuple[ModuleFigures, ...]:
    if not root.exists():
        raise GateError(f"{root}: no such file or directory")
    files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
    return tuple(module_figures(f, root, limit) for f in files)


def tree_figures(roots: Path | Sequence[Path], limit: int = CC_LIMIT) -> TreeFigures:
    """radon figures for every module under each root (a package directory or one file)."""
    roots = [roots] if isinstance(roots, Path) else list(roots)
    return TreeFigures(", ".join(map(str, roots)), tuple(m for root in roots for m in _modules(root, limit)))


NOT_MEASURED = {"measured": False, "note": "not measured: not a Python target and no [tool.harness.complexity] paths"}


def complexity_gate(
    candidate: Path | Sequence[Path], legacy: Path | Sequence[Path] | None = None, limit: int = CC_LIMIT
) -> GateResult:
    """Pass when no candidate block is above ``limit`` and every candidate module is MI rank A;
    the legacy (None: not Python, not measured) is shown beside it, never judged."""
    cand = tree_figures(candidate, limit)
    figures = {"candidate": cand.to_dict()}
    figures["legacy"] = tree_figures(legacy, limit).to_dict() if legacy is not None else dict(NOT_MEASURED)
    problems = cand.over_limit + cand.below_rank
    reason = (
        "; ".join(problems) if problems else (f"no candidate block above CC {limit}; every module MI rank {MI_RANK}")
    )
    summary = "candidate complexity within limits" if not problems else "candidate complexity above limits"
    return GateResult(
        name="complexity",
        passed=not problems,
        summary=summary,
        reason=reason,
        figures=figures,
        thresholds={"max_cc": limit, "mi_rank": MI_RANK},
    )
