"""Clients that drop while critical messages flow reconnect and receive their queued critical
messages exactly once (default run: small and bounded)."""

from __future__ import annotations

import asyncio
import json

import pytest

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

TIMEOUT = 10.0
CRITICAL = ("orders", "positions")


async def open_client(port, headers=None):
    ws = await connect(f"ws://127.0.0.1:{port}/", proxy=None, ping_interval=None, additional_headers=headers,
                       open_timeout=TIMEOUT)
    return ws, json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))


async def request(ws, message):
    await ws.send(json.dumps(message))
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if frame.get("request_id") == message.get("id"):
            return frame


async def drain(ws, seen: list, until=None, timeout=TIMEOUT):
    """Collect frames into `seen` until `until(frame)` or the connection ends."""
    try:
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            seen.append(frame)
            if until and until(frame):
                return frame
    except ConnectionClosed:
        return None


def message_ids(frames):
    return [f["data"]["message_id"] for f in frames if f.get("type") in CRITICAL]


def completed(frame):
    return frame.get("type") == "session_update" and frame["data"]["status"] in ("completed", "stopped")


async def wait_away(server, count, timeout=5.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while server.get_stats()["connections"]["by_state"]["disconnected"] < count and loop.time() < deadline:
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("drop", ["close", "abort"])
async def test_backtest_owner_drops_and_gets_queued_orders_once(server_class, drop):
    server = server_class(settings={"bar_interval": 0.004, "rate_limit": 10 ** 6}, host="127.0.0.1", port=0)
    await server.start()
    try:
        ws, welcome = await open_client(server.port)
        await request(ws, {"type": "login", "username": "trader", "password": "trader123", "id": 1})
        started = await request(ws, {"type": "session_start", "session_type": "backtest", "id": 2,
                                     "strategy_config": {"MovingAverageCross": ["BTC_USDT", "ETH_USDT"],
                                                         "BollingerBands": ["SOL_USDT"]},
                                     "config": {"bars": 300}})
        assert started["status"] == "session_started", started
        first: list = []
        await drain(ws, first, until=lambda f: len(message_ids(first)) >= 4)
        if drop == "close":
            await ws.close()  # a clean drop: what the server sent before the close is read to the end
            await drain(ws, first)
        else:
            ws.transport.abort()  # no closing handshake; frames still in flight may be lost (not duplicated)
        await wait_away(server, 1)
        await asyncio.sleep(0.1)  # critical frames produced while away are queued
        back, again = await open_client(server.port, {"X-Reconnect-Token": welcome["reconnect_token"]})
        assert again["status"] == "reconnected" and again["client_id"] == welcome["client_id"]
        second: list = []
        done = await drain(back, second, until=completed, timeout=TIMEOUT)
        assert done is not None and done["data"]["status"] == "completed", second[-3:]
        await back.close()
    finally:
        await asyncio.wait_for(server.stop(), 15)
    ids = message_ids(first) + message_ids(second)
    assert len(ids) == len(set(ids)), "duplicate critical messages"
    seqs = [int(i.rsplit(":", 1)[1]) for i in ids]
    assert seqs == sorted(seqs), seqs
    if drop == "close":
        assert seqs == list(range(1, len(seqs) + 1)), seqs  # none lost, in order
        assert len(seqs) == 2 * done["data"]["results"]["orders"]
    assert again["queued_messages"] >= 1


async def test_many_subscribers_drop_and_get_broadcast_criticals_once(server_class):
    clients = 40
    server = server_class(settings={"rate_limit": 10 ** 6}, host="127.0.0.1", port=0)
    await server.start()
    try:
        conns = []
        for n in range(clients):
            ws, welcome = await open_client(server.port)
            await request(ws, {"type": "login", "username": "viewer", "password": "viewer123", "id": n})
            await request(ws, {"type": "subscribe", "stream": "orders", "id": f"s{n}"})
            conns.append((ws, welcome))
        seen = {n: [] for n in range(clients)}
        away = range(0, clients, 2)
        for n in away:
            await conns[n][0].close()
        await wait_away(server, len(away))
        for k in range(20):
            await server.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT", "k": k})
        for n in away:  # reconnect half by header, half by message
            if n % 4:
                ws, again = await open_client(server.port, {"X-Reconnect-Token": conns[n][1]["reconnect_token"]})
                assert again["status"] == "reconnected", again
            else:
                ws, _ = await open_client(server.port)
                again = await request(ws, {"type": "reconnect", "reconnect_token": conns[n][1]["reconnect_token"],
                                           "id": "r"})
                assert again["status"] == "reconnected", again
            assert again["queued_messages"] == 20
            conns[n] = (ws, conns[n][1])
        for k in range(20, 25):
            await server.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT", "k": k})
        for n, (ws, _) in enumerate(conns):
            await drain(ws, seen[n], until=lambda f, n=n: len(message_ids(seen[n])) >= 25, timeout=5)
            extra: list = []
            try:
                await drain(ws, extra, timeout=0.02)
            except asyncio.TimeoutError:
                pass
            seen[n] += extra
            await ws.close()
    finally:
        await asyncio.wait_for(server.stop(), 15)
    for n in range(clients):
        ks = [f["data"]["k"] for f in seen[n] if f.get("type") == "orders"]
        assert ks == list(range(25)), (n, ks)
        ids = message_ids(seen[n])
        assert len(ids) == len(set(ids)) == 25
