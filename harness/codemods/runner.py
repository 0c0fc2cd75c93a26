"""Run the import migration over a consumer tree, check the result with pyflakes, write it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext
from pyflakes.api import check
from pyflakes.reporter import Reporter

from harness.codemods.migrate import MigrateImports


class _Collector(Reporter):
    """A pyflakes reporter that keeps the messages."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def unexpectedError(self, filename, msg):  # noqa: N802 (pyflakes API)
        self.messages.append(f"{filename}: {msg}")

    def syntaxError(self, filename, msg, lineno, offset, text):  # noqa: N802
        self.messages.append(f"{filename}:{lineno}: {msg}")

    def flake(self, message):
        self.messages.append(f"{message.filename}:{message.lineno}: {message.message % message.message_args}")


def pyflakes_messages(source: str, filename: str) -> list[str]:
    """pyflakes' complaints about ``source``, one string each."""
    collector = _Collector()
    check(source, filename, collector)
    return collector.messages


def _kinds(messages: list[str]) -> set[str]:
    """Messages without their line numbers, to compare before and after."""
    return {msg.split(": ", 1)[-1] for msg in messages}


@dataclass(frozen=True)
class FileChange:
    """One file's migration."""

    path: Path
    before: str
    after: str
    problems: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        name = self.path.as_posix().lstrip("/")
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )


@dataclass
class MigrationReport:
    """Every file looked at, and what went wrong."""

    changes: list[FileChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[FileChange]:
        return [c for c in self.changes if c.changed]

    @property
    def ok(self) -> bool:
        return not self.errors and not any(c.problems for c in self.changes)


def migrate_source(source: str, old: str, new: str, filename: str = "<string>") -> FileChange:
    """Rewrite one module's source; new pyflakes complaints are reported as problems."""
    tree = cst.parse_module(source)
    after = MigrateImports(CodemodContext(filename=filename), old, new).transform_module(tree).code
    if after == source:
        return FileChange(Path(filename), source, after, ())
    introduced = _kinds(pyflakes_messages(after, filename)) - _kinds(pyflakes_messages(source, filename))
    return FileChange(Path(filename), source, after, tuple(sorted(introduced)))


def _python_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py")) if root.is_dir() else [root]


def migrate_tree(root: Path, old: str, new: str, dry_run: bool = False) -> MigrationReport:
    """Migrate every ``.py`` file under ``root``; nothing is written unless every file checks clean."""
    report = MigrationReport()
    for path in _python_files(root):
        try:
            report.changes.append(migrate_source(path.read_text(encoding="utf-8"), old, new, str(path)))
        except cst.ParserSyntaxError as exc:
            report.errors.append(f"{path}:{exc.raw_line}: cannot be parsed: {exc.message}")
    if report.ok and not dry_run:
        for change in report.changed:
            change.path.write_text(change.after, encoding="utf-8")
    return report
