"""The bench gate: a slow candidate fails, an identical one passes; figures are data."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from harness.gates.bench.gate import QUICK, bench_gate, overall_ratio
from harness.gates.bench.timing import PairedTimings, Spread
from harness.gates.bench.workloads import WORKLOADS
from harness.gates.result import GateError

TINY = replace(QUICK, rounds=5, warmup_rounds=1, subscribers=3, min_round=0.01)


def test_spread_and_ratio_math() -> None:
    timings = PairedTimings("w", 10, legacy=[1.0, 1.0, 1.0, 1.0], candidate=[1.0, 1.1, 1.2, 0.9])
    assert timings.ratios == pytest.approx([1.0, 1.1, 1.2, 0.9])
    spread = Spread.of(timings.ratios)
    assert spread.median == pytest.approx(1.05) and spread.minimum == 0.9 and spread.maximum == 1.2
    other = PairedTimings("v", 1, legacy=[2.0], candidate=[1.0])
    assert overall_ratio([timings, other]) == pytest.approx((1.05 * 0.5) ** 0.5)


def test_slow_candidate_fails_and_is_retried(fakes_on_path: str, tmp_path: Path) -> None:
    settings = replace(TINY, workloads=WORKLOADS[:1])
    result = bench_gate("gates_fake_servers:FakeServer", "gates_fake_servers:SlowServer", tmp_path, settings)
    assert not result.passed and result.decision == "fail"
    assert result.figures["ratio"] > 1.5
    assert len(result.figures["attempts"]) == 2
    assert set(result.figures["workloads"]) == {"round_trips"}
    assert result.thresholds["max_ratio"] == 1.05
    assert "ratio" in result.reason and "> 1.05" in result.reason


def test_identical_servers_pass_and_store_benchmark_json(fakes_on_path: str, tmp_path: Path) -> None:
    result = bench_gate("gates_fake_servers:FakeServer", "gates_fake_servers:FakeServer", tmp_path, replace(TINY, threshold=2.0))
    assert result.passed, result.figures
    assert 0.5 < result.figures["ratio"] < 2.0
    document = json.loads((tmp_path / "bench.json").read_text())
    names = {b["name"] for b in document["benchmarks"]}
    assert "round_trips[legacy]" in names and "fan_out[candidate]" in names
    first = document["benchmarks"][0]["stats"]
    assert len(first["data"]) == TINY.rounds and first["median"] > 0
    for figures in result.figures["workloads"].values():
        assert figures["round_seconds_median"] >= TINY.min_round * 0.8
    assert "round_trips" in (tmp_path / "bench.txt").read_text()


def options(tmp_path: Path, candidate: str, ratio: float = 1.05):
    from harness.config import HarnessConfig
    from harness.gates.runners import GateOptions

    config = HarnessConfig(thresholds={"bench_ratio": ratio})
    return GateOptions("gates_fake_servers:FakeServer", candidate, tmp_path, True, config)


def test_bench_subprocess_failure_is_a_harness_error(fakes_on_path: str, tmp_path: Path) -> None:
    from harness.gates.runners import run_bench

    with pytest.raises(GateError, match="bench: measuring failed: cannot import 'nosuchmodule'"):
        run_bench(options(tmp_path, "nosuchmodule:Server"))


@pytest.mark.slow
def test_bench_runs_in_a_clean_subprocess(fakes_on_path: str, tmp_path: Path, monkeypatch) -> None:
    from harness.gates.runners import run_bench

    monkeypatch.setenv("COV_CORE_SOURCE", "/nonexistent")  # would put the child under coverage
    result = run_bench(options(tmp_path, "gates_fake_servers:FakeServer", ratio=2.0))
    assert result.name == "bench" and result.passed
    assert result.thresholds["max_ratio"] == 2.0 and result.figures["rounds"] == 15
    assert (tmp_path / "bench.json").is_file()


@pytest.mark.slow
def test_legacy_against_itself_passes(tmp_path: Path) -> None:
    pytest.importorskip("legacy.websocket_server")
    result = bench_gate("legacy", "legacy", tmp_path, QUICK)
    assert result.passed, result.figures


def test_history_is_kept_in_pytest_benchmark_storage(tmp_path: Path) -> None:
    from harness.gates.bench.storage import benchmark_document, save_history

    timings = [PairedTimings("round_trips", 10, [0.01, 0.012], [0.011, 0.012])]
    document = benchmark_document(timings, {"legacy": "a", "candidate": "b"})
    first = save_history(document, tmp_path / ".benchmarks")
    second = save_history(document, tmp_path / ".benchmarks")
    assert first.name == "0001_harness_gate.json" and second.name == "0002_harness_gate.json"
    assert json.loads(second.read_text())["benchmarks"][0]["stats"]["data"] == pytest.approx([0.001, 0.0012])
