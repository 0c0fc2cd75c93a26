"""The load tools on loopback: transcript replay, the Locust user (headless), the capacity step."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.corpus import BENCH_CORPUS
from loadtests import capacity
from loadtests.replay import _name_of, cooperative_selectors, load_corpus, loadable, replay

ROOT = Path(__file__).resolve().parents[2]
LOCUST = Path(sys.executable).with_name("locust")


def test_replay_counts_every_awaited_reply(legacy_url):
    transcript = next(t for t in load_corpus([BENCH_CORPUS]) if t.name == "bench_auth_strategies")
    seen = []
    replay(transcript, legacy_url, lambda name, ms, length, error: seen.append((name, ms, error)))
    names = [name for name, _, _ in seen]
    assert names[0] == "connect" and "login" in names and "get_strategies" in names
    assert all(error is None and ms >= 0 for _, ms, error in seen)
    assert len(seen) == 1 + sum(1 for e in transcript.events if e.kind == "send")


def test_corpus_filter_skips_state_and_settings_bound_recordings():
    from harness.corpus import collect_recordings, load_transcripts
    corpus = {t.name: t for t in load_transcripts(collect_recordings([BENCH_CORPUS]))}
    assert not loadable(corpus["bench_backtest"])  # tagged sessions
    assert not loadable(corpus["bench_backtest"], skip_tags=())  # starts a session
    assert loadable(corpus["bench_protocol"])


def test_corpus_filter_skips_recordings_that_start_runs():
    from dataclasses import replace

    from harness.transcript import Event
    transcript = next(t for t in load_corpus([BENCH_CORPUS]) if t.name == "bench_protocol")
    start = Event(kind="send", client="c1", text='{"type": "Session_Start", "session_type": "paper"}', line=998)
    assert loadable(transcript)
    assert not loadable(replace(transcript, events=(*transcript.events, start)))


def test_message_names_of_hostile_frames():
    from harness.transcript import Event
    deep = Event(kind="send", client="c1", text="[" * 100_000 + "]" * 100_000, line=1)
    assert _name_of(deep) == "invalid"
    assert _name_of(Event(kind="send", client="c1", text='{"type": "PING"}', line=2)) == "ping"
    assert _name_of(Event(kind="send", client="c1", text='{"type": "nope"}', line=3)) == "unknown_type"


def test_selectors_left_alone_without_gevent():
    import selectors

    import websockets.sync.connection

    cooperative_selectors()
    assert websockets.sync.connection.selectors is selectors


def test_replay_timeout_is_an_error(legacy_url):
    transcript = next(t for t in load_corpus([BENCH_CORPUS]) if t.name == "bench_protocol")
    # a recording that expects more frames than the server sends: the wait is bounded and raises
    from dataclasses import replace

    from harness.transcript import Event
    extra = Event(kind="recv", client="c1", text="{}", line=999)
    events = list(transcript.events)
    events.insert(3, extra)
    with pytest.raises(TimeoutError):
        replay(replace(transcript, events=tuple(events)), legacy_url, lambda *a: None, timeout=0.5)


@pytest.mark.skipif(not LOCUST.exists() and not shutil.which("locust"), reason="locust is not installed")
def test_locust_user_replays_against_legacy_headless(legacy_url, tmp_path):
    locust = str(LOCUST) if LOCUST.exists() else shutil.which("locust")
    command = [locust, "-f", str(ROOT / "loadtests" / "locustfile.py"), "--headless", "-u", "3", "-r", "3",
               "-t", "4s", "--host", legacy_url, "--csv", str(tmp_path / "run"), "--only-summary", "--stop-timeout", "5"]
    env = {**os.environ, "LOAD_RECORDINGS": str(BENCH_CORPUS), "LOAD_WAIT": "0.1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(tmp_path / "run_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    total = rows["Aggregated"]
    assert int(total["Request Count"]) > 20
    assert int(total["Failure Count"]) == 0
    assert any(name.startswith("replay bench_") for name in rows)


def test_capacity_step_and_search_stop(monkeypatch):
    step = capacity.run_step("echo", 20, window=0.5, p99_ms=1000, heartbeat=30, connect_budget=20)
    assert step.passed and step.connected == step.answered == 20
    assert step.server_rss_mb > 0
    best, steps = capacity.search("echo", [10, 20], window=0.3, p99_ms=0.0, heartbeat=30, connect_budget=20, log=lambda s: None)
    assert best == 0 and len(steps) == 1 and not steps[0].passed


def test_search_bisects_between_last_pass_and_first_failure(monkeypatch):
    def fake_step(target, n, *args, **kwargs):
        return capacity.Step(target, n, passed=n <= 5000)

    monkeypatch.setattr(capacity, "run_step", fake_step)
    best, steps = capacity.search("x", [1000, 2000, 4000, 8000, 16000], 1, 100, 30, 10, log=lambda s: None, refine=2)
    assert [s.connections for s in steps] == [1000, 2000, 4000, 8000, 6000, 5000]
    assert best == 5000
