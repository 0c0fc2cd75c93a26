"""The consumer migration codemod: before/after pairs, pyflakes check, dry run."""

import shutil
from pathlib import Path

import pytest

from harness.codemods.runner import migrate_source, migrate_tree, pyflakes_messages

SAMPLE = Path(__file__).parent / "consumer_sample"
OLD, NEW = "legacy.websocket_server", "compat"


@pytest.fixture
def consumer(tmp_path: Path) -> Path:
    root = tmp_path / "consumer"
    shutil.copytree(SAMPLE / "before", root)
    return root


def test_tree_matches_expected_after(consumer: Path) -> None:
    report = migrate_tree(consumer, OLD, NEW)
    assert report.ok, report.errors
    for expected in sorted((SAMPLE / "after").rglob("*.py")):
        got = consumer / expected.relative_to(SAMPLE / "after")
        assert got.read_text() == expected.read_text(), expected.name
    assert {c.path.name for c in report.changed} == {
        "mixed.py",
        "self_alias.py",
        "module_alias.py",
        "parent_import.py",
        "nested.py",
    }


def test_after_tree_passes_pyflakes() -> None:
    for path in (SAMPLE / "after").rglob("*.py"):
        assert pyflakes_messages(path.read_text(), str(path)) == []


def test_second_run_changes_nothing(consumer: Path) -> None:
    migrate_tree(consumer, OLD, NEW)
    assert migrate_tree(consumer, OLD, NEW).changed == []


def test_dry_run_writes_nothing(consumer: Path) -> None:
    before = (consumer / "app" / "mixed.py").read_text()
    report = migrate_tree(consumer, OLD, NEW, dry_run=True)
    assert (consumer / "app" / "mixed.py").read_text() == before
    assert "+import compat" in next(c for c in report.changed if c.path.name == "mixed.py").diff()


def test_mixed_parent_import_is_split() -> None:
    src = "from legacy import other, websocket_server as ws  # note\n\nprint(other, ws)\n"
    change = migrate_source(src, OLD, NEW)
    assert change.after == "from legacy import other  # note\nimport compat as ws\n\nprint(other, ws)\n"
    assert change.problems == ()


def test_submodule_and_dotted_target() -> None:
    src = "import legacy.websocket_server.extra\nfrom legacy.websocket_server import X as X\nprint(X)\n"
    change = migrate_source(src, OLD, "refactored.api")
    assert change.after == "import refactored.api.extra\nfrom refactored.api import X as X\nprint(X)\n"


def test_relative_and_lookalike_imports_untouched() -> None:
    src = "from .legacy.websocket_server import A\nimport legacy.websocket_serverx\nprint(A)\n"
    assert not migrate_source(src, OLD, NEW).changed


def test_broken_output_fails_loudly_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "uses_parent.py"
    src = "import legacy.websocket_server\n\nprint(legacy.websocket_server.A, legacy.helpers)\n"
    path.write_text(src)
    report = migrate_tree(tmp_path, OLD, NEW)
    assert not report.ok
    assert any("undefined name 'legacy'" in p for c in report.changes for p in c.problems)
    assert path.read_text() == src


def test_syntax_error_is_reported_with_path(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def (:\n")
    report = migrate_tree(tmp_path, OLD, NEW)
    assert not report.ok and report.errors[0].startswith(str(tmp_path / "bad.py") + ":")
