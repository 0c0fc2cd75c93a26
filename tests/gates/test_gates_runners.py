"""The gate table: options become each gate's call (quick effort, source roots, URL targets)."""

from pathlib import Path

import pytest

from dataclasses import replace

from harness.config import ComplexityPaths, HarnessConfig
from harness.gates import runners
from harness.gates.memory import gate as memory
from harness.gates.result import NotApplicable
from harness.subject import Subject
from harness.gates.targets import load_class, source_root


def options(tmp_path: Path, quick: bool, candidate: str = "refactored") -> runners.GateOptions:
    return runners.GateOptions("legacy", candidate, tmp_path, quick, HarnessConfig())


class Structures(Subject):
    def bounded_structures(self, candidate):
        return ["structures of " + candidate]


@pytest.mark.parametrize(("quick", "expected"), [(True, memory.QUICK), (False, memory.FULL)])
def test_quick_selects_reduced_memory_effort(tmp_path: Path, monkeypatch, quick: bool, expected) -> None:
    seen = {}
    monkeypatch.setattr(memory, "memory_gate", lambda *args: seen.setdefault("args", args))
    monkeypatch.setattr(runners, "load_subject", lambda config: Structures(config))
    runners.run_memory(options(tmp_path, quick))
    assert seen["args"] == ("legacy", "refactored", tmp_path, Path("pyproject.toml"), expected,
                            ["structures of refactored"], "memray")


def test_memory_of_a_url_target_is_skipped(tmp_path: Path) -> None:
    with pytest.raises(NotApplicable, match="memory: ws://127.0.0.1:9/ is a server the harness does not start"):
        runners.run_memory(options(tmp_path, True, candidate="ws://127.0.0.1:9/"))


def test_complexity_sources_from_config_or_import_path(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def ok(x):\n    return x\n")
    config = HarnessConfig(root=tmp_path, complexity=ComplexityPaths(candidate=("src",)))
    opts = runners.GateOptions("ws://127.0.0.1:9/", "ws://127.0.0.1:8/", tmp_path, True, config)
    result = runners.run_complexity(opts)
    assert result.passed and result.figures["legacy"]["measured"] is False
    assert result.figures["candidate"]["modules"][0]["path"] == "src/app.py"
    with pytest.raises(NotApplicable, match="not a Python target"):
        runners.run_complexity(replace(opts, config=HarnessConfig(root=tmp_path)))


def test_source_roots_and_url_targets() -> None:
    assert source_root("refactored").name == "refactored"
    assert source_root("legacy").name == "legacy"
    with pytest.raises(NotApplicable, match="needs an import path"):
        load_class("ws://127.0.0.1:9/")


def test_gate_table_order() -> None:
    assert list(runners.GATES) == ["golden", "complexity", "memory", "bench", "fuzz", "api"]


def test_configured_thresholds_reach_the_gates(tmp_path: Path) -> None:
    config = HarnessConfig(thresholds={"memory_floor_bytes": 512, "memory_legacy_factor": 1.0, "max_cc": 5})
    opts = runners.GateOptions("legacy", "refactored", tmp_path, True, config)
    settings = runners.memory_settings(opts)
    assert (settings.floor, settings.legacy_factor, settings.replays) == (512, 1.0, memory.QUICK.replays)
    result = runners.run_complexity(opts)
    assert result.thresholds["max_cc"] == 5


def test_fuzz_gate_figures_and_decision(tmp_path):
    from harness.fuzz.runner import FuzzResult
    from harness.fuzz.check import Stats
    from harness.gates.fuzz import QUICK, fuzz_result

    clean = fuzz_result(FuzzResult(seed=0, seconds=12.0, stats=Stats(examples=20, replayed=18)), QUICK)
    assert clean.passed and clean.figures["compared"] == 18 and clean.figures["found"] is None
    assert clean.thresholds == {"max_examples": QUICK.max_examples, "time_budget_seconds": QUICK.time_budget}
    found = FuzzResult(seed=0, seconds=5.0, stats=Stats(examples=3, replayed=3),
                       transcript=object(), written=tmp_path / "found" / "fuzz_x.jsonl")
    failed = fuzz_result(found, QUICK)
    assert not failed.passed and failed.artifacts["found"].endswith("fuzz_x.jsonl")
    assert "found a difference" in failed.reason
