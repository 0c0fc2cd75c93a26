"""The `asgi:` target form: fresh module state per run, settings, bad apps, no orphans."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from websockets.asyncio.client import connect

from harness import transcript as wsgm
from harness.config import HarnessConfig, load_config
from harness.errors import TargetError
from harness.replay import replay_recording
from harness.targets import check_target, parse_target, running
from harness_support import jsonl

APP = "asgi:target_servers.asgi_app"
HARNESS = Path(sys.executable).parent / "harness"


@pytest.fixture
def slow_start(fast_timeouts):
    """Fast timeouts, but the first start imports the app (seconds on a loaded machine)."""
    return replace(fast_timeouts, start=15.0)


async def exchange(url: str, *texts: str) -> list[dict]:
    async with connect(url, proxy=None, additional_headers={"X-Probe": "p"}) as ws:
        replies = []
        for text in texts:
            await ws.send(text)
            replies.append(json.loads(await ws.recv()))
        return replies


async def test_module_state_is_fresh_for_each_run(slow_start):
    spec = parse_target(f"{APP}:app", HarnessConfig())
    counts, pids = [], []
    for _ in range(3):
        async with running(spec, {"rate": 5}, slow_start) as live:
            replies = await exchange(live.url, "a", "b")
            counts.append([r["n"] for r in replies])
            pids.append(_serving(live.url))
    assert counts == [[1, 2]] * 3  # the module's counter starts from its imported value every run
    assert replies[0]["settings"] == {"rate": 5} and replies[0]["header"] == "p"
    assert len(set(pids)) == 3 and not any(psutil.pid_exists(pid) for pid in pids)  # no orphans


def _serving(url: str) -> int:
    port = int(url.rsplit(":", 1)[1].strip("/"))
    for conn in psutil.net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port:
            return conn.pid
    raise AssertionError(f"nobody listens on {port}")


async def test_factory_is_called_with_the_settings_in_place(slow_start):
    async with running(parse_target(f"{APP}:make_app()", HarnessConfig()), {"start": 10}, slow_start) as live:
        (reply,) = await exchange(live.url, "a")
    assert reply["n"] == 11 and reply["settings"] == {"start": 10}


async def test_close_codes_reach_the_client(slow_start):
    async with running(parse_target(f"{APP}:app", HarnessConfig()), {}, slow_start) as live:
        async with connect(live.url, proxy=None) as ws:
            await ws.send("close-4001")
            await ws.wait_closed()
    assert (ws.close_code, ws.close_reason) == (4001, "asked to")


async def test_app_that_dies_during_a_recording_fails_it(slow_start):
    transcript = wsgm.loads(jsonl(
        '{"kind":"connect","client":"c1"}',
        '{"kind":"send","client":"c1","text":"one"}',
        '{"kind":"send","client":"c1","text":"die"}',
    ), "dies.jsonl")
    obs = await replay_recording(transcript, parse_target(f"{APP}:app", HarnessConfig()), timeouts=slow_start)
    assert "exited during the run" in obs.failed and len(obs.clients["c1"].frames) == 1


@pytest.mark.parametrize(("spec", "reason"), [
    ("asgi:target_servers.asgi_broken:app", "cannot import 'target_servers.asgi_broken': ImportError: this module is broken on purpose"),
    ("asgi:target_servers.no_such_module:app", "cannot import 'target_servers.no_such_module': ModuleNotFoundError"),
    (f"{APP}:missing", "'target_servers.asgi_app' has no attribute 'missing'"),
    (f"{APP}:not_an_app", "not an ASGI callable: int"),
    (f"{APP}:make_app", "not an ASGI callable: it does not take (scope, receive, send)"),
    (f"{APP}:not_an_app()", "not_an_app is not callable"),
])
def test_bad_apps_are_one_line_errors(spec, reason):
    with pytest.raises(TargetError) as caught:
        check_target(parse_target(spec, HarnessConfig()))
    assert reason in str(caught.value) and "\n" not in str(caught.value)


async def test_factory_returning_no_app_fails_with_the_reason(slow_start):
    with pytest.raises(TargetError) as caught:
        async with running(parse_target(f"{APP}:make_nothing()", HarnessConfig()), {}, slow_start):
            pass
    assert "before it was ready" in str(caught.value)
    assert "the factory returned not an ASGI callable: NoneType" in str(caught.value)


def test_cli_reports_an_app_that_does_not_import(tmp_path):
    recording = tmp_path / "r.jsonl"
    recording.write_text(jsonl('{"kind":"connect","client":"c1"}'))
    done = subprocess.run([str(HARNESS), "replay", str(recording), "--target", "asgi:no_such_module_here:app"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "cannot import 'no_such_module_here'" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


async def test_app_is_imported_from_its_projects_directory(slow_start, tmp_path, monkeypatch):
    """A configuration's import path is relative to its project, wherever the harness runs."""
    project = tmp_path / "their_project"
    project.mkdir()
    shutil.copy(Path(__file__).parent / "target_servers" / "asgi_app.py", project / "their_asgi_app.py")
    (project / "pyproject.toml").write_text("[tool.harness]\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    target = parse_target("asgi:their_asgi_app:app", load_config(project / "pyproject.toml"))
    async with running(target, {}, slow_start) as live:
        (reply,) = await exchange(live.url, "one")
    assert reply["n"] == 1
