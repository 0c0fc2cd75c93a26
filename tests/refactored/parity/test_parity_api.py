"""The Python API of both servers: broadcasts, event bus, limits, stop during a run."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from legacy.websocket_server import WebSocketAPIServer as Legacy
from parity_support import Masker
from refactored import WebSocketAPIServer as Refactored

SERVERS = pytest.mark.parametrize("cls", [Legacy, Refactored], ids=["legacy", "refactored"])


async def client(server, headers=None):
    ws = await connect(f"ws://127.0.0.1:{server.port}", proxy=None, ping_interval=None, additional_headers=headers)
    return ws, json.loads(await asyncio.wait_for(ws.recv(), 5))


async def ask(ws, message):
    await ws.send(json.dumps(message))
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


class Bus:
    def __init__(self):
        self.events = []

    async def publish(self, topic, data):
        self.events.append((topic, data["status"]))


async def broadcast_story(cls):
    bus = Bus()
    out = []
    async with cls(event_bus=bus, settings={"bar_interval": 0.001}, host="127.0.0.1", port=0) as server:
        a, welcome = await client(server)
        b, _ = await client(server)
        for ws in (a, b):
            await ask(ws, {"type": "login", "username": "trader", "password": "trader123"})
        await ask(a, {"type": "subscribe", "stream": "orders", "symbols": ["BTC_USDT"]})
        await ask(b, {"type": "subscribe", "stream": "account"})
        out.append(await server.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT", "x": 1}))
        out.append(await server.broadcast_to_subscribers("orders", {"symbol": "ETH_USDT"}))
        out.append(await server.broadcast_to_subscribers("account", 5, exclude_client=None))
        out.append(await server.broadcast_to_subscribers("account", {}, exclude_client="nobody"))
        out.append(await server.broadcast_to_subscribers("nope", {}))
        out.append(json.loads(await asyncio.wait_for(a.recv(), 5)))
        out += [json.loads(await asyncio.wait_for(b.recv(), 5)) for _ in range(2)]
        await a.close()
        await asyncio.sleep(0.05)
        out.append(await server.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT"}))
        again, back = await client(server, {"X-Reconnect-Token": welcome["reconnect_token"]})
        out += [back, json.loads(await asyncio.wait_for(again.recv(), 5))]
        await ask(again, {"type": "session_start", "session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}})
        out.append(json.loads(await asyncio.wait_for(again.recv(), 5)))
        out.append(await ask(again, {"type": "session_stop"}))
        out.append(json.loads(await asyncio.wait_for(again.recv(), 5)))
        await asyncio.sleep(0.05)
        stats = server.get_stats()
        out.append({k: v for k, v in stats.items() if k != "server"})
        out.append(await server.health_check())
        for ws in (b, again):
            await ws.close()
    out.append(bus.events)
    return Masker().mask(out)


async def test_broadcasts_event_bus_and_stats_match():
    assert await broadcast_story(Refactored) == await broadcast_story(Legacy)


@SERVERS
async def test_over_max_connections_1013(cls):
    async with cls(host="127.0.0.1", port=0, max_connections=1) as server:
        first, _ = await client(server)
        ws = await connect(f"ws://127.0.0.1:{server.port}", proxy=None)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert (ws.close_code, ws.close_reason) == (1013, "Maximum connections exceeded")
        assert server.get_stats()["connections"]["rejected"] == 1
        await first.close()


@SERVERS
async def test_stop_during_backtest_is_clean(cls, caplog):
    before = asyncio.all_tasks()
    server = cls(host="127.0.0.1", port=0, settings={"bar_interval": 0.01})
    await server.start()
    ws, _ = await client(server)
    await ask(ws, {"type": "login", "username": "trader", "password": "trader123"})
    await ask(ws, {"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
                   "config": {"bars": 1000}})
    await asyncio.sleep(0.05)
    await server.stop()
    with pytest.raises(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    assert ws.close_code == 1001
    await asyncio.sleep(0.01)
    assert asyncio.all_tasks() - before == set()
    assert "Traceback" not in caplog.text
    await server.start()
    again, welcome = await client(server)
    assert welcome["status"] == "connected"
    await again.close()
    await server.stop()


async def restart_story(cls):
    server = cls(host="127.0.0.1", port=0)
    out = []
    await server.start()
    ws, _ = await client(server)
    await ask(ws, {"type": "login", "username": "viewer", "password": "nope"})
    await ask(ws, {"type": "subscribe", "stream": "orders"})
    await server.stop()
    out.append({k: v for k, v in server.get_stats().items() if k != "server"})
    out.append(await server.health_check())
    await server.start()
    ws, _ = await client(server)
    out.append(await ask(ws, {"type": "login", "username": "viewer", "password": "nope"}))
    out.append({k: v for k, v in server.get_stats().items() if k != "server"})
    await ws.close()
    await server.stop()
    return Masker().mask(out)


async def test_restart_matches():
    assert await restart_story(Refactored) == await restart_story(Legacy)
