"""Many concurrent clients: exactly one reply per request with the right request_id, no lost replies,
no ghost connections afterwards. The full run (1000 x 100) is `-m load`; a small smoke run is default."""

from __future__ import annotations

import asyncio
import json

import pytest

from load_support import LOAD_SETTINGS, ServerProcess
from loadtests.requests import run_load


def assert_no_ghosts(stats: dict) -> None:
    connections = stats["connections"]
    assert connections["total"] == 0, connections
    assert connections["active"] == 0, connections
    assert connections["by_state"]["connecting"] == 0 and connections["by_state"]["connected"] == 0, connections


async def settled(server, timeout=5.0) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while server.get_stats()["connections"]["total"] and loop.time() < deadline:
        await asyncio.sleep(0.02)
    return server.get_stats()


async def test_smoke_50_clients_x_20_requests(server_class, caplog):
    caplog.set_level("WARNING")
    server = server_class(settings=LOAD_SETTINGS, host="127.0.0.1", port=0, max_connections=100)
    await server.start()
    try:
        result = await asyncio.wait_for(run_load(f"ws://127.0.0.1:{server.port}/", 50, 20, timeout=10), 60)
        assert not result.problems, result.problems[:5]
        assert result.replies == 1000 and result.lost == 0
        stats = await settled(server)
        assert_no_ghosts(stats)
        assert stats["messages"]["received"] >= 1000
    finally:
        await asyncio.wait_for(server.stop(), 15)
    errors = [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]
    assert not errors, errors


@pytest.mark.load
@pytest.mark.timeout(600)
async def test_load_1000_clients_x_100_requests(target, record_property, capsys):
    async with ServerProcess(target, LOAD_SETTINGS, max_connections=2000) as server:
        result = await asyncio.wait_for(run_load(server.url, 1000, 100, handshakes=64, timeout=60), 480)
        stats = await server.settled_stats()
    figures = dict(result.figures(), target=target)
    record_property("load_figures", figures)
    with capsys.disabled():
        print("\nLOAD", json.dumps(figures))
    assert not result.problems, result.problems[:5]
    assert result.lost == 0 and result.replies == 100_000
    assert_no_ghosts(stats)
    assert stats["messages"]["received"] >= 100_000
    assert not await server.log_problems()
