"""The four target forms: `module:Class`, `cmd:`, `asgi:` and `ws://`, and their bad inputs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from websockets.asyncio.client import connect

from harness import transcript as wsgm
from harness.config import HarnessConfig, TargetTable
from harness.errors import TargetError
from harness.replay import replay_recording
from harness.serving import command as command_form
from harness.targets import constructor_arguments, parse_target, running
from harness_servers import EchoServer
from harness_support import jsonl

HERE = Path(__file__).parent
SCRIPT = HERE / "target_servers" / "cmd_server.py"
HARNESS = Path(sys.executable).parent / "harness"


def cmd(mode: str = "") -> str:
    return f"cmd:{sys.executable} {SCRIPT} --port {{port}} {mode}".rstrip()


async def exchange(url: str, *texts: str, headers: dict | None = None) -> list[dict]:
    async with connect(url, proxy=None, additional_headers=headers or {}) as ws:
        replies = []
        for text in texts:
            await ws.send(text)
            replies.append(json.loads(await ws.recv()))
        return replies


async def close_code(url: str) -> int | None:
    async with connect(url, proxy=None) as ws:
        await ws.send("close-4001")
        await ws.wait_closed()
        return ws.close_code


def _group_members(pgid: int) -> list[psutil.Process]:
    members = []
    for process in psutil.process_iter(["pid", "status"]):
        try:
            if process.pid != 0 and os.getpgid(process.pid) == pgid and \
                    process.info["status"] != psutil.STATUS_ZOMBIE:
                members.append(process)
        except (ProcessLookupError, psutil.Error):
            pass
    return members


# --- specs and the declared contract ---------------------------------------------------------

@pytest.mark.parametrize(("spec", "reason"), [
    ("cmd:python server.py --port 8080", "no {port} placeholder"),
    ("cmd:", "empty command"),
    ("cmd:python 'unclosed {port}", "cannot split"),
    ("asgi:module", "asgi:module:app"),
    ("asgi:pkg.mod:1app", "asgi:module:app"),
    ("nonsense", "want an alias"),
])
def test_bad_specs_are_refused_with_the_reason(spec, reason):
    with pytest.raises(TargetError, match="bad target") as caught:
        parse_target(spec, HarnessConfig())
    assert reason in str(caught.value)


def test_forms_aliases_and_constructor_keywords_come_from_configuration():
    config = HarnessConfig(targets=TargetTable(aliases={"old": "pkg.server:Server", "node": "cmd:node s.js {port}"},
                                               constructor_keywords=("limit",)), env={"A": "1"})
    old = parse_target("old", config)
    assert (old.kind, old.module, old.attr, old.keywords, old.in_process) == ("class", "pkg.server", "Server",
                                                                             ("limit",), True)
    node = parse_target("node", config)
    assert (node.kind, node.value, node.env, node.in_process, node.restartable) == (
        "cmd", "node s.js {port}", (("A", "1"),), False, True)
    assert parse_target("asgi:pkg.app:make()", config).attr == "make()"
    assert not parse_target("wss://example.org/x", config).restartable
    assert constructor_arguments({"limit": 3, "other": 1}, ("limit",)) == {
        "settings": {"other": 1}, "host": "127.0.0.1", "port": 0, "limit": 3}


class Stopless:
    """Takes the constructor, but has no stop() and no port."""

    def __init__(self, settings, host, port) -> None:
        self.settings = settings

    async def start(self) -> None:
        pass


async def test_a_class_that_breaks_the_protocol_is_refused(fast_timeouts):
    with pytest.raises(TargetError, match=r"not a server \(needs async start\(\), async stop\(\) and .port\)"):
        async with running(parse_target(f"{__name__}:Stopless"), {}, fast_timeouts):
            pass


@pytest.fixture
def slow_start(fast_timeouts):
    """Fast timeouts, but a process start may take seconds on a loaded machine."""
    return replace(fast_timeouts, start=10.0)


# --- cmd: ------------------------------------------------------------------------------------

async def test_cmd_is_fresh_for_each_run_with_its_settings_and_env(slow_start):
    spec = parse_target(cmd(), HarnessConfig(env={"WSGM_EXTRA": "from config"}))
    for _ in range(2):
        async with running(spec, {"rate": 5}, slow_start) as live:
            first, second = await exchange(live.url, "a", "b", headers={"X-Probe": "p"})
            assert live.server is None
    assert (first["n"], second["n"]) == (1, 2)  # a new process each run: the count starts again
    assert first["settings"] == {"rate": 5} and first["extra"] == "from config" and first["header"] == "p"


async def test_cmd_close_codes_reach_the_client(slow_start):
    async with running(parse_target(cmd(), HarnessConfig()), {}, slow_start) as live:
        assert await close_code(live.url) == 4001


async def test_cmd_that_exits_at_once_reports_command_reason_and_output(slow_start):
    with pytest.raises(TargetError) as caught:
        async with running(parse_target(cmd("exit"), HarnessConfig()), {}, slow_start):
            pass
    text = str(caught.value)
    assert str(SCRIPT) in text and "exited with code 7 (before it was ready)" in text
    assert "cannot start: no configuration" in text


async def test_cmd_that_never_becomes_ready_is_stopped(slow_start):
    with pytest.raises(TargetError) as caught:
        async with running(parse_target(cmd("silent"), HarnessConfig()), {}, replace(slow_start, start=5.0)):
            pass
    text = str(caught.value)
    assert "not ready after 5 s" in text and "starting, but never listening" in text
    assert not [p for p in psutil.process_iter(["cmdline"]) if str(SCRIPT) in " ".join(p.info["cmdline"] or [])
                and "silent" in (p.info["cmdline"] or [])]


async def test_cmd_on_a_taken_port_is_refused(slow_start, monkeypatch):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        monkeypatch.setattr(command_form, "free_port", lambda host: taken)
        with pytest.raises(TargetError, match=f"port {taken} is taken"):
            async with running(parse_target(cmd(), HarnessConfig()), {}, slow_start):
                pass


async def test_cmd_whose_port_is_taken_before_it_binds_gets_another(slow_start, monkeypatch):
    real_port_taken = command_form.port_taken
    checks = []

    def racy(host: str, port: int) -> bool:  # the first check happens before the port is stolen
        checks.append(port)
        return False if len(checks) == 1 else real_port_taken(host, port)

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        stolen = holder.getsockname()[1]
        ports = iter([stolen])
        monkeypatch.setattr(command_form, "free_port", lambda host: next(ports, 0) or _free())
        monkeypatch.setattr(command_form, "port_taken", racy)
        async with running(parse_target(cmd(), HarnessConfig()), {}, slow_start) as live:
            assert f":{stolen}/" not in live.url
            assert (await exchange(live.url, "hello"))[0]["n"] == 1


def _free() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_cmd_runs_in_the_project_directory(slow_start, tmp_path):
    (tmp_path / "server.py").write_text(SCRIPT.read_text())
    target = parse_target(f"cmd:{sys.executable} server.py --port {{port}}", HarnessConfig(root=tmp_path))
    async with running(target, {}, slow_start) as live:
        assert (await exchange(live.url, "hello"))[0]["n"] == 1


async def test_cmd_that_dies_during_a_recording_fails_it_with_its_output(slow_start):
    transcript = wsgm.loads(jsonl(
        '{"kind":"connect","client":"c1"}',
        '{"kind":"send","client":"c1","text":"one"}',
        '{"kind":"send","client":"c1","text":"two"}',
        '{"kind":"send","client":"c1","text":"three"}',
    ), "dies.jsonl")
    obs = await replay_recording(transcript, parse_target(cmd("die"), HarnessConfig()), timeouts=slow_start)
    assert "exited with code 3 during the run" in obs.failed and "dying on message 2" in obs.failed
    assert len(obs.clients["c1"].frames) == 1  # what came before the death is kept


async def test_cmd_process_group_is_gone_after_the_run(slow_start):
    """SIGTERM is ignored by the server and its grandchild: SIGKILL after `close` takes both."""
    async with running(parse_target(cmd("stubborn"), HarnessConfig()), {}, slow_start) as live:
        await exchange(live.url, "x")
        leader = next(p for p in psutil.process_iter(["cmdline"]) if "stubborn" in (p.info["cmdline"] or []))
        pgid = os.getpgid(leader.pid)
        assert len(_group_members(pgid)) == 2  # the server and the grandchild it started
    assert _group_members(pgid) == []


def test_cli_refuses_a_command_without_port(tmp_path):
    recording = tmp_path / "r.jsonl"
    recording.write_text(jsonl('{"kind":"connect","client":"c1"}'))
    done = subprocess.run([str(HARNESS), "replay", str(recording), "--target", "cmd:node server.js"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no {port} placeholder" in done.stderr and "Traceback" not in done.stderr


# --- ws:// -----------------------------------------------------------------------------------

async def test_url_target_is_replayed_with_a_state_warning(slow_start):
    transcript = wsgm.loads(jsonl(
        '{"kind":"connect","client":"c1"}',
        '{"kind":"send","client":"c1","text":"hi"}',
        '{"kind":"recv","client":"c1","text":"hi"}',
    ), "url.jsonl")
    async with EchoServer(host="127.0.0.1", port=0) as server:
        obs = await replay_recording(transcript, f"ws://127.0.0.1:{server.port}/", timeouts=slow_start)
    assert obs.failed is None and obs.clients["c1"].frames[0].text == "hi"
    assert any("state carries over between replays" in w for w in obs.warnings)
