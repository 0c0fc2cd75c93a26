"""The bench gate on the corpus: a slow candidate fails, an identical one passes, a server that
serialises its clients shows in the K-copies figure; figures are data."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from harness.config import BenchConfig, HarnessConfig
from harness.gates.bench.gate import QUICK, bench_gate, overall_ratio
from harness.gates.bench.timing import PairedTimings, Spread
from harness.gates.result import GateError

TINY = replace(QUICK, rounds=5, warmup_rounds=1, min_round=0.01)
FAKE = "gates_fake_servers:FakeServer"

def config(corpus: Path, **bench) -> HarnessConfig:
    return HarnessConfig(recordings=str(corpus), bench=BenchConfig(**bench))


def test_spread_and_ratio_math() -> None:
    timings = PairedTimings("w", 10, legacy=[1.0, 1.0, 1.0, 1.0], candidate=[1.0, 1.1, 1.2, 0.9])
    assert timings.ratios == pytest.approx([1.0, 1.1, 1.2, 0.9])
    spread = Spread.of(timings.ratios)
    assert spread.median == pytest.approx(1.05) and spread.minimum == 0.9 and spread.maximum == 1.2
    other = PairedTimings("v", 1, legacy=[2.0], candidate=[1.0])
    assert overall_ratio([timings, other]) == pytest.approx((1.05 * 0.5) ** 0.5)


def test_slow_candidate_fails_and_is_retried(fakes_on_path: str, corpus: Path, tmp_path: Path) -> None:
    result = bench_gate(FAKE, "gates_fake_servers:SlowServer", tmp_path, config(corpus, copies=2), TINY)
    assert not result.passed and result.decision == "fail"
    assert result.figures["ratio"] > 1.1
    assert len(result.figures["attempts"]) == 2
    assert set(result.figures["workloads"]) == {"corpus_sequential", "corpus_2_at_once"}
    assert result.thresholds["max_ratio"] == 1.05
    assert "ratio" in result.reason and "> 1.05" in result.reason


def test_identical_servers_pass_and_store_benchmark_json(fakes_on_path: str, corpus: Path, tmp_path: Path) -> None:
    settings = replace(TINY, threshold=2.0)
    result = bench_gate(FAKE, FAKE, tmp_path, config(corpus, copies=3), settings)
    assert result.passed, result.figures
    assert 0.5 < result.figures["ratio"] < 2.0
    assert result.figures["recordings"] == ["paused", "pings"] and result.figures["left_out"] == {}
    at_once = result.figures["workloads"]["corpus_3_at_once"]
    assert at_once["legacy_replays_per_second"] > 0 and at_once["unit"] == "corpus pass, 3 copies at once"
    document = json.loads((tmp_path / "bench.json").read_text())
    names = {b["name"] for b in document["benchmarks"]}
    assert "corpus_sequential[legacy]" in names and "corpus_3_at_once[candidate]" in names
    first = document["benchmarks"][0]["stats"]
    assert len(first["data"]) == TINY.rounds and first["median"] > 0
    assert "corpus_sequential" in (tmp_path / "bench.txt").read_text()


async def test_sleep_lines_are_left_out_of_the_time(fakes_on_path: str, corpus: Path) -> None:
    import time

    from harness.corpus import load_transcripts
    from harness.gates.bench.corpus import CorpusSide

    paused = [t for t in load_transcripts([corpus]) if t.name == "paused"]
    side = CorpusSide("legacy", FAKE, tuple(paused), BenchConfig(), HarnessConfig())
    started = time.perf_counter()
    seconds = await side.replay(paused[0], 1)
    elapsed = time.perf_counter() - started
    assert 0 < seconds < elapsed - 0.05  # the recording sleeps 50 ms


def test_copies_side_by_side_count_the_longest_less_the_common_sleep() -> None:
    from harness.gates.bench.corpus import _wall
    from harness.replay import TimedReplay

    runs = [(0.30, TimedReplay(0.20, 0.10, ())), (0.35, TimedReplay(0.23, 0.12, ()))]
    assert _wall(runs) == pytest.approx(0.25)


def test_a_server_that_serialises_clients_shows_in_the_copies_figure(
    fakes_on_path: str, corpus: Path, tmp_path: Path
) -> None:
    settings = replace(TINY, threshold=100.0, rounds=5)
    chosen = config(corpus, recordings=("pings",), copies=8)
    result = bench_gate("gates_fake_servers:IOServer", "gates_fake_servers:SerialIOServer", tmp_path, chosen, settings)
    workloads = result.figures["workloads"]
    assert workloads["corpus_8_at_once"]["ratio"]["median"] > 2, workloads
    assert workloads["corpus_sequential"]["ratio"]["median"] < 1.5, workloads


def test_recording_that_does_not_replay_cleanly_is_left_out(fakes_on_path: str, corpus: Path, tmp_path: Path) -> None:
    changed = tmp_path / "recs"
    changed.mkdir()
    for path in corpus.glob("*.jsonl"):
        (changed / path.name).write_text(path.read_text())
    lines = (changed / "pings.jsonl").read_text().splitlines()
    lines.insert(3, lines[2])  # the same frame twice: one more frame than ever comes
    (changed / "pings.jsonl").write_text("\n".join(lines) + "\n")
    chosen = replace(config(changed, copies=2), timeouts=replace(HarnessConfig().timeouts, frame=0.3))
    result = bench_gate(FAKE, FAKE, tmp_path, chosen, replace(TINY, threshold=2.0, rounds=3))
    assert result.figures["recordings"] == ["paused"]
    assert "pings" in result.figures["left_out"] and "gave up" in result.figures["left_out"]["pings"]


def test_candidate_that_cannot_start_is_a_harness_error(fakes_on_path: str, corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(GateError, match="bench: candidate nosuchmodule:Server: cannot import 'nosuchmodule'"):
        bench_gate(FAKE, "nosuchmodule:Server", tmp_path, config(corpus), TINY)


def test_no_matching_recording_is_a_harness_error(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(GateError, match="no recording matches"):
        bench_gate(FAKE, FAKE, tmp_path, config(corpus, recordings=("nothing*",)), TINY)


def options(tmp_path: Path, candidate: str, ratio: float = 1.05, recordings: str = "recordings"):
    from harness.gates.runners import GateOptions

    config = HarnessConfig(thresholds={"bench_ratio": ratio}, recordings=recordings)
    return GateOptions(FAKE, candidate, tmp_path, True, config)


@pytest.mark.slow
def test_bench_runs_in_a_clean_subprocess(fakes_on_path: str, corpus: Path, tmp_path: Path, monkeypatch) -> None:
    from harness.gates.runners import run_bench

    monkeypatch.setenv("COV_CORE_SOURCE", "/nonexistent")  # would put the child under coverage
    config_file = tmp_path / "pyproject.toml"
    config_file.write_text(f'[tool.harness]\nrecordings = "{corpus}"\n')
    opts = options(tmp_path, FAKE, ratio=2.0)
    opts = replace(opts, config=replace(opts.config, source=config_file))
    result = run_bench(opts)
    assert result.name == "bench" and result.passed
    assert result.thresholds["max_ratio"] == 2.0 and result.figures["rounds"] == QUICK.rounds
    assert (tmp_path / "bench.json").is_file()


def test_history_is_kept_in_pytest_benchmark_storage(tmp_path: Path) -> None:
    from harness.gates.bench.storage import benchmark_document, save_history

    timings = [PairedTimings("corpus_sequential", 10, [0.01, 0.012], [0.011, 0.012])]
    document = benchmark_document(timings, {"legacy": "a", "candidate": "b"})
    first = save_history(document, tmp_path / ".benchmarks")
    second = save_history(document, tmp_path / ".benchmarks")
    assert first.name == "0001_harness_gate.json" and second.name == "0002_harness_gate.json"
    assert json.loads(second.read_text())["benchmarks"][0]["stats"]["data"] == pytest.approx([0.001, 0.0012])
