"""Recording: the proxy with a plain client, the scenario API, record then replay cleanly."""

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from harness import transcript as wsgm
from harness.cli import main
from harness.corpus import check_recording, compare_recording
from harness.errors import ScenarioError
from harness.proxy import recording_proxy
from harness.record import Recorder, new_meta
from harness.scenario import Scenario, load_scenarios, record_scenario
from harness_servers import CloserServer, EchoServer, ExtensionsServer, IssuerServer
from harness_support import ECHO, EDITED, ISSUER, SUBJECT_TABLES

HERE = Path(__file__).parent
SCENARIOS = HERE / "scenario_files" / "issuer_scenarios.py"


@pytest.fixture(scope="module")
def scenarios():
    return {s.name: s for s in load_scenarios([SCENARIOS])}


async def test_proxy_records_a_plain_client(fast_config):
    recorder = Recorder(new_meta("plain", "ws"), fast_config.redact, fast_config.fixtures)
    async with IssuerServer(host="127.0.0.1", port=0) as server:
        async with recording_proxy(f"ws://127.0.0.1:{server.port}", recorder) as proxy:
            async with connect(proxy.url + "feed?v=2", proxy=None) as ws:
                welcome = json.loads(await ws.recv())
                assert welcome["path"] == "/feed?v=2"
                await ws.send(
                    json.dumps({"type": "login", "id": 1, "username": "admin", "password": "admin123"})
                )
                assert json.loads(await ws.recv())["status"] == "logged_in"
                await ws.send(b"\x01")
                await ws.recv()
            with pytest.raises(InvalidStatus):
                await connect(proxy.url, proxy=None, additional_headers={"X-Reconnect-Token": "nope"})
    transcript = recorder.transcript()
    lines = wsgm.dumps(transcript)
    assert "admin123" not in lines and welcome["reconnect_token"] not in lines
    assert [e.kind for e in transcript.events][:2] == ["connect", "recv"]
    assert transcript.events[0].path == "/feed?v=2"
    assert transcript.events[-1].reason == "http 401"
    again = wsgm.loads(lines)
    assert (await check_recording(again, ISSUER, fast_config)).ok


async def test_proxy_records_and_passes_on_a_client_without_compression():
    recorder = Recorder(new_meta("compression", "ws"))
    async with ExtensionsServer(host="127.0.0.1", port=0) as server:
        async with recording_proxy(f"ws://127.0.0.1:{server.port}", recorder) as proxy:
            async with connect(proxy.url, proxy=None, compression=None) as plain:
                await plain.send("?")
                upstream_plain = json.loads(await plain.recv())
            async with connect(proxy.url, proxy=None) as deflating:
                await deflating.send("?")
                upstream_deflating = json.loads(await deflating.recv())
    assert (upstream_plain, upstream_deflating) == ([], ["permessage-deflate"])
    connects = [e for e in recorder.transcript().events if e.kind == "connect"]
    assert [e.compression for e in connects] == ["none", None]


async def test_proxy_passes_close_codes():
    recorder = Recorder(new_meta("close", "ws"))
    async with CloserServer(host="127.0.0.1", port=0) as server:
        async with recording_proxy(f"ws://127.0.0.1:{server.port}", recorder) as proxy:
            async with connect(proxy.url, proxy=None) as ws:
                await ws.send("x")
                await asyncio.wait_for(ws.wait_closed(), 2)
                assert ws.close_code == 4001
    assert [(e.kind, e.code) for e in recorder.events if e.kind == "closed"] == [("closed", 4001)]


async def test_scenario_records_redacts_and_replays(scenarios, fast_config):
    transcript = await record_scenario(scenarios["issuer_tour"], ISSUER, fast_config)
    text = wsgm.dumps(transcript)
    events = text.split("\n", 1)[1]
    for secret in ("trader123", "guess", "v1ewer!"):
        assert secret not in events
    assert "<redacted:wrong_password>" in text
    assert '"X-Reconnect-Token":"<issued:c1:reconnect_token:1>"' in text
    assert "<issued:c2:client_id:1>:forged" in text  # c2 was issued the same id on resuming
    assert transcript.meta.settings == {"passwords": {"viewer": "v1ewer!"}}
    assert [e.kind for e in transcript.events if e.kind in ("sleep", "close")] == ["sleep", "close"]
    transcript = wsgm.loads(text)
    assert (await check_recording(transcript, ISSUER, fast_config)).ok
    result = await compare_recording(transcript, ISSUER, EDITED, fast_config)
    assert [(d.client, d.frame, d.path) for d in result.differences] == [("c1", 4, "$.error_message")]


async def test_scenario_errors_are_reported(fast_config):
    async def silent(s):
        c = await s.connect("c1")
        await c.recv()
        await c.recv(timeout=0.2)

    with pytest.raises(ScenarioError, match="no frame within 0.2 s"):
        await record_scenario(Scenario("silent", silent), ISSUER, fast_config)


def test_record_scenarios_command(tmp_path, monkeypatch, capsys):
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.harness.timeouts]\nquiet = 0.05\n" + SUBJECT_TABLES)
    out = tmp_path / "recordings"
    code = main(
        [
            "record-scenarios",
            str(SCENARIOS.parent),
            "--target",
            ISSUER,
            "--out",
            str(out),
            "--config",
            str(config),
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == [
        "issuer_path_and_refusal.jsonl",
        "issuer_ping.jsonl",
        "issuer_tour.jsonl",
    ]
    assert main(["replay", str(out), "--target", ISSUER, "--config", str(config), "-q"]) == 0
    assert "3 recordings: 3 match" in capsys.readouterr().out


async def test_record_command_as_a_process(tmp_path):
    """`harness record` in its own process, a plain client through it, then a clean replay."""
    out = tmp_path / "session.jsonl"
    async with IssuerServer(host="127.0.0.1", port=0) as server:
        port = _free_port()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parents[1]), str(HERE)])}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "harness",
            "record",
            "--upstream",
            f"ws://127.0.0.1:{server.port}",
            "--listen",
            f"127.0.0.1:{port}",
            "--out",
            str(out),
            "--duration",
            "20",
            "--tag",
            "manual",
            "--settings",
            '{"rate_limit": 5}',
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await asyncio.wait_for(proc.stderr.readline(), 15)  # "recording ..." once listening
            async with connect(f"ws://127.0.0.1:{port}/", proxy=None) as ws:
                await ws.recv()
                await ws.send(json.dumps({"type": "ping", "id": 1}))
                await ws.recv()
        finally:
            proc.send_signal(2)
            await asyncio.wait_for(proc.wait(), 15)
    assert proc.returncode == 0
    transcript = wsgm.load(out)
    assert transcript.name == "session"
    assert transcript.meta.tags == ("manual",) and transcript.meta.settings == {"rate_limit": 5}
    assert [e.kind for e in transcript.events] == ["connect", "recv", "send", "recv", "close", "closed"]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_binary_and_client_close_code_through_proxy(fast_config):
    recorder = Recorder(new_meta("echo", "ws"))
    async with EchoServer(host="127.0.0.1", port=0) as server:
        async with recording_proxy(f"ws://127.0.0.1:{server.port}", recorder) as proxy:
            async with connect(proxy.url, proxy=None) as ws:
                await ws.send(b"\x00\xff")
                assert await ws.recv() == b"\x00\xff"
                await ws.close(4005, "bye")
    kinds = [(e.kind, e.binary, e.code) for e in recorder.events]
    assert kinds == [
        ("connect", None, None),
        ("send", "AP8=", None),
        ("recv", "AP8=", None),
        ("close", None, 4005),
        ("closed", None, 4005),
    ]
    result = await check_recording(wsgm.loads(wsgm.dumps(recorder.transcript())), ECHO, fast_config)
    assert result.ok, result.to_dict()


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
async def test_browser_style_client_session_replays(fast_config):
    """A session recorded from Node's WHATWG WebSocket client replays cleanly."""
    recorder = Recorder(new_meta("browser", "ws"), fast_config.redact, fast_config.fixtures)
    async with IssuerServer(host="127.0.0.1", port=0) as server:
        async with recording_proxy(f"ws://127.0.0.1:{server.port}", recorder) as proxy:
            proc = await asyncio.create_subprocess_exec(
                "node",
                "--experimental-websocket",
                str(HERE / "browser_client.js"),
                proxy.url,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            out, _ = await asyncio.wait_for(proc.communicate(), 20)
    assert out.decode().strip() == "closed 1000"
    transcript = wsgm.loads(wsgm.dumps(recorder.transcript()))
    assert [e.kind for e in transcript.events] == [
        "connect",
        "recv",
        "send",
        "recv",
        "send",
        "recv",
        "close",
        "closed",
    ]
    assert "viewer123" not in wsgm.dumps(transcript)
    assert (await check_recording(transcript, ISSUER, fast_config)).ok


async def test_scenario_assertions_become_scenario_errors(fast_config):
    async def wrong(s):
        c = await s.connect("c1")
        assert (await c.recv())["type"] == "nope", "welcome expected"

    with pytest.raises(ScenarioError, match="AssertionError: welcome expected"):
        await record_scenario(Scenario("wrong", wrong), ISSUER, fast_config)


def test_bad_scenario_files(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("x = 1\ndef f(:\n")
    with pytest.raises(ScenarioError, match=r"broken.py:2: "):
        load_scenarios([broken])
    failing = tmp_path / "failing.py"
    failing.write_text("import no_such_module_here\n")
    with pytest.raises(ScenarioError, match=r"failing.py:1: cannot import"):
        load_scenarios([failing])
    dup = tmp_path / "dup"
    dup.mkdir()
    (dup / "_helpers.py").write_text("TAGS = ['x']\n")
    (dup / "one.py").write_text(
        "from harness.scenario import scenario\nfrom _helpers import TAGS\n"
        "@scenario(name='same', tags=TAGS)\nasync def a(s):\n    pass\n"
        "@scenario(name='same')\nasync def b(s):\n    pass\n"
    )
    with pytest.raises(ScenarioError, match="duplicate scenario names: same"):
        load_scenarios([dup])
