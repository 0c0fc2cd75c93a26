"""Targets that refuse, fail to start, hang, crash mid-recording or stop answering: the recording is
reported failed with the reason within a bounded time, and the run goes on with the others."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.config import Timeouts
from harness.corpus import compare_corpus
from harness.replay import replay_recording
from harness.scenario import Scenario, record_scenario
from harness.errors import ScenarioError
from harness.transcript import load
from subject_trading.config import harness_config

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "recordings" / "hostile"
SMALL = ["hostile_non_object_json", "hostile_binary_frames"]
TIMEOUTS = Timeouts(connect=2, frame=1, quiet=0.05, quiet_max=0.5, recording=3, start=2, close=1)
FAST = harness_config(timeouts=TIMEOUTS, concurrency=2, waivers_file="no-waivers.toml")
BOUND = 20.0  # seconds a failing recording may take, at most

BAD_TARGETS = {
    "refusing": "stress_servers:RefusingServer",
    "failing_start": "stress_servers:FailingStartServer",
    "hanging_start": "stress_servers:HangingStartServer",
    "crashing": "stress_servers:CrashingServer",
    "mute": "stress_servers:MuteServer",
    "missing_module": "no_such_module_anywhere:Server",
    "closed_port": "ws://127.0.0.1:9",
}


@pytest.mark.parametrize("kind", sorted(BAD_TARGETS))
async def test_replay_against_a_bad_target_fails_bounded(kind):
    transcript = load(HOSTILE / "hostile_non_object_json.jsonl")
    started = time.monotonic()
    observation = await replay_recording(transcript, BAD_TARGETS[kind], timeouts=TIMEOUTS)
    elapsed = time.monotonic() - started
    assert elapsed < BOUND, elapsed
    assert observation.failed, observation  # e.g. "replay timed out after 6 s" for the mute target
    assert "Traceback" not in observation.failed


@pytest.mark.parametrize("kind", ["refusing", "crashing", "hanging_start", "mute"])
async def test_corpus_run_goes_on_after_a_bad_target(tmp_path, kind):
    for name in SMALL:
        shutil.copy(HOSTILE / f"{name}.jsonl", tmp_path)
    config = dataclasses.replace(FAST, root=tmp_path)
    started = time.monotonic()
    result = await compare_corpus("legacy", BAD_TARGETS[kind], [tmp_path], config)
    assert time.monotonic() - started < 2 * BOUND
    assert [r.name for r in result.recordings] == sorted(SMALL)  # every recording was run
    assert not result.ok
    for recording in result.recordings:
        assert not recording.ok
        assert recording.error and BAD_TARGETS[kind] in recording.error, recording.error


async def test_recording_a_scenario_against_a_crashing_target_fails_with_reason():
    async def chatty(s):
        client = await s.connect("c1")
        await client.recv()
        for n in range(5):
            await client.send({"type": "ping", "id": n})
            await client.recv()

    config = harness_config(timeouts=TIMEOUTS)
    started = time.monotonic()
    with pytest.raises(ScenarioError) as info:
        await record_scenario(Scenario("chatty", chatty), BAD_TARGETS["crashing"], config)
    assert time.monotonic() - started < BOUND
    assert "c1" in str(info.value)


def test_record_scenarios_cli_goes_on_after_a_failing_scenario(tmp_path):
    scenarios = tmp_path / "scen.py"
    scenarios.write_text(
        "from harness.scenario import scenario\n\n"
        "@scenario(name='a_fails')\n"
        "async def a_fails(s):\n"
        "    c = await s.connect('c1')\n"
        "    await c.recv()\n"
        "    await c.recv(timeout=0.5)\n\n"
        "@scenario(name='b_works')\n"
        "async def b_works(s):\n"
        "    c = await s.connect('c1')\n"
        "    await c.recv()\n"
        "    await c.send({'type': 'ping', 'id': 1})\n"
        "    await c.recv()\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "harness", "record-scenarios", str(scenarios), "--target", "legacy",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "harness: a_fails: c1: no frame within 0.5 s" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in out.glob("*.jsonl")) == ["b_works.jsonl"]
