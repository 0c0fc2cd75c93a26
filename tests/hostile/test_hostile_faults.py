"""Faults on both servers: abrupt disconnects, a client that never reads, stop() mid-backtest."""

from __future__ import annotations

import asyncio
import time

import pytest

BACKTEST = {"type": "session_start", "session_type": "backtest",
            "strategy_config": {"MovingAverageCross": ["BTC_USDT"], "RSIStrategy": ["ETH_USDT"]}}


async def settled(server, predicate, timeout=5.0):
    """Wait (bounded) until predicate(get_stats()) holds; returns the last stats."""
    deadline = time.monotonic() + timeout
    stats = server.get_stats()
    while not predicate(stats) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        stats = server.get_stats()
    return stats


def no_live_connections(stats):
    by_state = stats["connections"]["by_state"]
    return by_state["connected"] == 0 and by_state["connecting"] == 0 and by_state["reconnecting"] == 0


REQUESTS = [
    {"type": "login", "username": "admin", "password": "admin123"},
    dict(BACKTEST, config={"bars": 200}),
    {"type": "collection_start", "symbols": ["BTC_USDT", "ETH_USDT"], "duration": "1h"},
    {"type": "upsert_strategy", "strategy_name": "Dropped", "config": {"a": 1}},
    {"type": "get_strategies"},
    {"type": "command", "command": "get_stats"},
    {"type": "echo", "data": "x" * 500_000},
]


@pytest.mark.parametrize("index", range(len(REQUESTS)), ids=[r["type"] for r in REQUESTS])
async def test_abrupt_disconnect_mid_request(make_server, make_client, still_serving, index):
    server = await make_server({"bar_interval": 0.002})
    victim = await make_client(server)
    if index:
        await victim.login("admin")
    await victim.send(REQUESTS[index])
    victim.abort()
    stats = await settled(server, no_live_connections)
    assert no_live_connections(stats), stats["connections"]
    await still_serving(server)
    assert (await settled(server, no_live_connections))["connections"]["by_state"]["connected"] == 0


async def test_abrupt_disconnect_during_handshake(impl, server, still_serving):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
    await writer.drain()
    writer.transport.abort()
    await asyncio.sleep(0.1)
    await still_serving(server)
    stats = await settled(server, no_live_connections)
    assert stats["connections"]["by_state"]["connected"] == 0
    if impl != "legacy":
        assert stats["connections"]["total"] == 0 and stats["connections"]["by_state"]["connecting"] == 0


async def test_client_that_never_reads_does_not_stall_others(make_server, make_client):
    """A subscriber that stops reading (TCP window full) must not stall broadcasts, backtests or pings
    of other clients."""
    server = await make_server({"bar_interval": 0.002})
    stuck = await make_client(server, max_queue=1)
    await stuck.login("viewer")
    await stuck.request({"type": "subscribe", "stream": "market_data"})
    reader = await make_client(server)
    await reader.login("viewer")
    await reader.request({"type": "subscribe", "stream": "market_data"})
    stuck.ws.transport.pause_reading()  # never read again: the server's send buffer fills up
    blob = {"symbol": "BTC_USDT", "blob": "z" * 65_536}
    started = time.monotonic()
    for _ in range(200):  # ~13 MB to a client that reads nothing
        await asyncio.wait_for(server.broadcast_to_subscribers("market_data", blob), 5)
    received = 0
    while received < 200:
        frame = await reader.recv(timeout=5)
        received += frame.get("type") == "market_data"
    assert time.monotonic() - started < 20
    pinger = await make_client(server)
    t0 = time.monotonic()
    assert (await pinger.request({"type": "ping"}, timeout=3))["type"] == "pong"
    assert time.monotonic() - t0 < 2
    trader = await make_client(server)
    await trader.login("trader")
    await trader.request(dict(BACKTEST, config={"bars": 30}))
    done = await trader.wait_for(lambda f: f.get("type") == "session_update"
                                 and f["data"]["status"] == "completed", timeout=10)
    assert done["data"]["bars_processed"] == 30
    stuck.abort()


async def test_stop_during_running_backtest(make_server, make_client, server_class):
    server = await make_server({"bar_interval": 0.005})
    trader = await make_client(server)
    await trader.login("trader")
    await trader.request({"type": "subscribe", "stream": "market_data"})
    await trader.request(dict(BACKTEST, config={"bars": 1000}))
    admin = await make_client(server)
    await admin.login("admin")
    await admin.request({"type": "collection_start", "symbols": ["BTC_USDT"], "duration": "1d"})
    await trader.wait_for(lambda f: f.get("type") == "orders" or f.get("type") == "market_data")
    before = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
    t0 = time.monotonic()
    await asyncio.wait_for(server.stop(), 5)
    assert time.monotonic() - t0 < 5
    assert await trader.closed_code() == 1001
    assert await admin.closed_code() == 1001
    await asyncio.sleep(0.05)
    leftover = [t for t in asyncio.all_tasks() if t in before and not t.done()
                and "websocket" not in repr(t.get_coro()).lower()]
    assert not [t for t in leftover if "backtest" in repr(t).lower() or "collection" in repr(t).lower()], leftover
    health = await server.health_check()
    assert health["status"] == "stopped"
    assert server.get_stats()["sessions"]["active_trading_sessions"] == 0
    await server.start()  # restart works after a stop mid-run
    again = await make_client(server)
    assert (await again.request({"type": "ping"}))["type"] == "pong"
    await server.stop()
    await server.stop()  # idempotent


async def test_connection_limit_closes_1013_and_recovers(make_server, make_client, still_serving):
    server = await make_server(max_connections=5)
    clients = [await make_client(server) for _ in range(5)]
    over = await make_client(server, welcome=False)
    assert await over.closed_code() == 1013
    assert over.ws.close_reason == "Maximum connections exceeded"
    await clients[0].close()
    await settled(server, lambda s: s["connections"]["by_state"]["connected"] == 4)
    await still_serving(server)  # the freed slot is usable again
    stats = server.get_stats()["connections"]
    assert stats["rejected"] == 1 and stats["by_state"]["connected"] == 4


@pytest.mark.parametrize("flood_size", [300, pytest.param(5000, marks=pytest.mark.slow)])
async def test_stop_while_clients_flood(make_server, make_client, flood_size):
    """stop() while 10 clients pipeline requests: bounded, every client closed, no unhandled exception.
    With a deep inbound backlog both servers wait out websockets' 10 s close timeout (the handlers stop
    reading, so the clients' close frames are never read); the bound here is that timeout plus slack."""
    server = await make_server()
    clients = [await make_client(server) for _ in range(10)]

    async def flood(client):
        try:
            for n in range(flood_size):
                await client.send({"type": "echo", "data": n, "id": n})
                if n % 50 == 0:
                    await asyncio.sleep(0)
        except Exception:
            pass

    async def read(client):
        try:
            while True:
                await client.recv(timeout=10)
        except Exception:
            pass

    tasks = [asyncio.create_task(flood(c)) for c in clients] + [asyncio.create_task(read(c)) for c in clients]
    await asyncio.sleep(0.1)
    t0 = time.monotonic()
    await asyncio.wait_for(server.stop(), 30)
    # A small backlog must not wait out the 10 s close timeout; the bound leaves room for a loaded machine.
    assert time.monotonic() - t0 < (6 if flood_size < 1000 else 12)
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert {c.ws.close_code for c in clients} == {1001}


async def test_reconnect_refused_at_capacity_keeps_the_session(make_server, make_client):
    """A reconnect rejected with 1013 must not consume the persisted session or its queue."""
    server = await make_server(max_connections=2)
    owner = await make_client(server)
    await owner.login("trader")
    await owner.request({"type": "subscribe", "stream": "orders"})
    token = owner.welcome["reconnect_token"]
    await owner.close()
    await settled(server, lambda s: s["connections"]["by_state"]["disconnected"] == 1)
    await server.broadcast_to_subscribers("orders", {"k": 1})
    blockers = [await make_client(server), await make_client(server)]
    refused = await make_client(server, headers={"X-Reconnect-Token": token}, welcome=False)
    assert await refused.closed_code() == 1013
    await blockers[0].close()
    await settled(server, lambda s: s["connections"]["by_state"]["connected"] == 1)
    back = await make_client(server, headers={"X-Reconnect-Token": token})
    assert back.welcome["status"] == "reconnected" and back.welcome["queued_messages"] == 1
    assert (await back.recv())["data"] == {"k": 1, "message_id": "broadcast:1"}


async def test_silent_tcp_clients_do_not_block_handshakes(server, still_serving):
    """Connections that never send a handshake (or send half of one) do not stop others connecting."""
    writers = []
    for n in range(100):
        _, writer = await asyncio.open_connection("127.0.0.1", server.port)
        if n % 2:
            writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        writers.append(writer)
    try:
        t0 = time.monotonic()
        await still_serving(server)
        assert time.monotonic() - t0 < 2
    finally:
        for writer in writers:
            writer.transport.abort()
