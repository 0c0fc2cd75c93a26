"""The complexity gate: radon figures side by side; complex or unmaintainable code fails."""

from pathlib import Path

import pytest

from harness.gates.complexity import complexity_gate, tree_figures
from harness.gates.result import GateError

SIMPLE = '''
class Server:
    """A class whose methods radon lists flat and inside the class."""

    def start(self, x):
        if x:
            return 1
        return 2

    def stop(self):
        def inner(y):
            return y or 0
        return inner(1)
'''


def branches(count: int, name: str = "busy") -> str:
    body = "\n".join(
        f"    if x == {i}:\n        y = x * {i} + (x - {i}) / (x + {i} + 1) ** 2 - x % {i + 1}" for i in range(count)
    )
    return f"def {name}(x):\n    y = 0\n{body}\n    return y\n"


@pytest.fixture
def package(tmp_path: Path):
    def make(name: str, **modules: str) -> Path:
        root = tmp_path / name
        root.mkdir()
        (root / "__init__.py").write_text("")
        for module, source in modules.items():
            (root / f"{module}.py").write_text(source)
        return root

    return make


def test_simple_candidate_passes_with_side_by_side_figures(package) -> None:
    candidate = package("cand", server=SIMPLE)
    legacy = package("old", god=branches(14))
    result = complexity_gate(candidate, legacy)
    assert result.passed, result.reason
    cand = result.figures["candidate"]
    server = next(m for m in cand["modules"] if m["path"] == "cand/server.py")
    assert server["mi_rank"] == "A" and server["worst"]["name"] == "Server.start"
    names = [b["name"] for m in cand["modules"] for b in [m["worst"]] if b]
    assert names == ["Server.start"]
    assert result.figures["legacy"]["worst_block"]["complexity"] == 15
    assert result.figures["legacy"]["over_limit"] == ["old/god.py:1 busy (CC 15)"]
    assert result.thresholds == {"max_cc": 10, "mi_rank": "A"}


def test_each_block_counted_once() -> None:
    tree = tree_figures(Path(__file__))  # any file works as a one-module tree
    assert tree.modules[0].path == Path(__file__).name


def test_function_above_cc_10_fails(package) -> None:
    result = complexity_gate(package("cand", ok=SIMPLE, bad=branches(10)))
    assert not result.passed
    assert result.reason == "cand/bad.py:1 busy (CC 11)"
    assert result.summary == "candidate complexity above limits"


def test_module_below_mi_rank_a_fails(package) -> None:
    source = "\n".join(branches(6, f"f{i}") for i in range(12))
    result = complexity_gate(package("cand", sprawling=source))
    assert not result.passed
    assert "cand/sprawling.py (MI" in result.reason and "rank B" in result.reason


def test_unparsable_module_is_a_located_error(package) -> None:
    with pytest.raises(GateError, match=r"broken\.py:1: cannot be parsed"):
        complexity_gate(package("cand", broken="def (:\n"))
    with pytest.raises(GateError, match="no such file"):
        complexity_gate(Path("/nonexistent/package"))
