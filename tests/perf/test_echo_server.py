"""The echo reference server: same framing as the trading servers, no logic."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from benchmarks.echo_server import EchoServer, echo


def test_echo_copies_id_to_request_id_last():
    assert echo('{"type": "ping", "id": 7}') == '{"type": "ping", "id": 7, "request_id": 7}'
    assert echo('{"type": "ping"}') == '{"type": "ping"}'
    assert echo("[1, 2]") == "[1, 2]"


async def test_echo_server_answers_and_broadcasts():
    async with EchoServer(host="127.0.0.1", port=0) as server:
        async with connect(f"ws://127.0.0.1:{server.port}/", proxy=None) as ws:
            assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "status", "status": "connected"}
            await ws.send(json.dumps({"type": "login", "id": "a", "x": [1, 2.5]}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "login", "id": "a", "x": [1, 2.5], "request_id": "a"}
            await ws.send(b"\x00\x01")
            assert await asyncio.wait_for(ws.recv(), 5) == b"\x00\x01"
            assert await server.broadcast_to_subscribers("market_data", {"symbol": "BTC_USDT"}) == 1
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert (frame["type"], frame["stream"], frame["data"]) == ("market_data", "market_data", {"symbol": "BTC_USDT"})
        assert (await server.health_check())["status"] == "healthy"
    assert (await server.health_check())["status"] == "stopped"
