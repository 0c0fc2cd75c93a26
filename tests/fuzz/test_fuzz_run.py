"""The fuzzer against real targets: planted differences are found, shrunk and written; clean pairs pass."""

from __future__ import annotations

import json

import pytest

from harness import transcript as wsgm
from harness.cli import main
from harness.fuzz.runner import FuzzOptions, run_fuzz

PLANTED = "fuzz_planted:PlantedServer"
PLANTED_FAST = "fuzz_planted:PlantedVersionServer"


def _actions(path):
    return [e for e in wsgm.load(path).events if e.kind != "sleep"]


def test_clean_pair_finds_nothing_and_is_deterministic(tmp_path):
    runs = [run_fuzz(FuzzOptions("legacy", "legacy", max_examples=6, seed=4, out=tmp_path))
            for _ in range(2)]
    assert not any(r.found for r in runs)
    assert runs[0].stats.examples == runs[1].stats.examples
    assert runs[0].stats.replayed == runs[1].stats.replayed > 0
    assert not list(tmp_path.iterdir())


def test_planted_difference_is_shrunk_and_written(tmp_path):
    result = run_fuzz(FuzzOptions("legacy", PLANTED_FAST, max_examples=40, time_budget=20, seed=0,
                                  out=tmp_path))
    assert result.found and result.written.parent == tmp_path
    actions = _actions(result.written)
    assert len(actions) <= 3
    assert json.loads(actions[-1].text)["type"] == "version"
    assert any(t.startswith("differs: ") and "$.build" in t for t in wsgm.load(result.written).meta.tags)


@pytest.mark.slow
def test_planted_collection_stop_found_within_default_budget(tmp_path):
    result = run_fuzz(FuzzOptions("legacy", PLANTED, seed=1, out=tmp_path))
    assert result.found
    actions = _actions(result.written)
    assert len(actions) <= 4
    assert json.loads(actions[-1].text)["type"] == "collection_stop"
    assert result.result.differences[0].path == "$.error_message"


@pytest.mark.slow
def test_refactored_finds_nothing_within_default_budget(tmp_path):
    result = run_fuzz(FuzzOptions("legacy", "refactored", seed=2, out=tmp_path))
    assert not result.found, result.result and result.result.differences


def test_cli_exit_codes(tmp_path, capsys):
    base = ["fuzz", "--legacy", "legacy", "--max-examples", "2", "--seed", "1", "--quiet",
            "--out", str(tmp_path)]
    assert main(base + ["--candidate", "legacy"]) == 0
    assert "no difference found" in capsys.readouterr().out
    assert main(base + ["--candidate", "no.such.module:Server"]) == 2
