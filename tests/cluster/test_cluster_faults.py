"""An instance killed under its clients, at the harness level: `cluster:2:cmd:…` runs two
refactored processes on one Redis, `ClusterTarget.kill(1)` SIGKILLs one, and its client resumes
on the other with its reconnect token (session, login and subscriptions restored)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from harness.config import ClusterConfig, Timeouts, load_config
from harness.targets import parse_target, running

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("refactored_instance.py")
RESUME_WITHIN = 15.0  # the dead instance's liveness key expires within a few seconds


async def opened(url: str, headers: dict | None = None):
    ws = await connect(url, proxy=None, ping_interval=None, additional_headers=headers or {}, open_timeout=5)
    return ws, json.loads(await asyncio.wait_for(ws.recv(), 5))


async def ask(ws, message: dict) -> dict:
    await ws.send(json.dumps(message))
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def resume(url: str, token: str):
    """Reconnect with `token` until the session is given back (bounded)."""
    deadline = time.monotonic() + RESUME_WITHIN
    while True:
        ws, welcome = await opened(url, {"X-Reconnect-Token": token})
        if welcome.get("status") == "reconnected":
            return ws, welcome
        await ws.close()
        assert time.monotonic() < deadline, f"the session was never given back: {welcome}"
        await asyncio.sleep(0.25)


@pytest.mark.timeout(120)
async def test_a_killed_instance_s_client_resumes_on_the_other(redis_server) -> None:
    config = load_config(ROOT / "pyproject.toml")
    config = replace(config, cluster=ClusterConfig(redis_server.url, config.cluster.settings),
                     timeouts=Timeouts(start=20.0, close=5.0))
    spec = parse_target(f"cluster:2:cmd:{sys.executable} {SCRIPT} --port {{port}}", config)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    async with running(spec, {}, config.timeouts) as live:
        ws, welcome = await opened(live.instance(1).url)
        assert (await ask(ws, {"type": "login", "username": "trader", "password": "trader123"}))["status"] == "logged_in"
        await ask(ws, {"type": "subscribe", "stream": "orders", "symbols": ["BTC_USDT"], "id": 1})
        pid = live.instance(1).pid
        await live.kill(1)
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        resumed, again = await resume(live.instance(0).url, welcome["reconnect_token"])
        assert again["client_id"] == welcome["client_id"]
        reply = await ask(resumed, {"type": "subscribe", "stream": "orders", "id": 2})
        assert reply["error_code"] == "already_subscribed", reply  # the subscription came back
        await resumed.close()
    left = {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}
    assert left <= before
