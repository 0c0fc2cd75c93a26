"""Rate limit, frame size limit, connection limit, ghost connections, concurrency."""

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed

from legacy_support import RECV_TIMEOUT, assert_error


async def test_rate_limit(make_server, make_client):
    server = await make_server({"rate_limit": 5, "rate_window": 1.0})
    a = await make_client(server)
    b = await make_client(server)
    for _ in range(3):
        assert (await a.request({"type": "ping"}))["type"] == "pong"
    for _ in range(2):
        assert (await b.request({"type": "ping"}))["type"] == "pong"
    # 6th message from the same IP is refused and not processed
    r = await a.request({"type": "login", "username": "trader", "password": "trader123", "session_id": "s"})
    assert_error(r, "rate_limit_exceeded", "Rate limit exceeded")
    assert r["session_id"] == "s"
    # malformed frames are answered before the limiter
    await a.send("{bad")
    assert_error(await a.reply(), "invalid_json")
    await a.send("[1]")
    assert_error(await a.reply(), "invalid_message")
    assert server.get_stats()["messages"]["rate_limited"] == 1
    await asyncio.sleep(1.05)
    r = await a.request({"type": "subscribe", "stream": "orders"})
    assert_error(r, "authentication_required")  # the refused login never happened


async def test_message_size_limit(make_server, make_client):
    server = await make_server({"max_message_size": 1024})
    c = await make_client(server)
    ok = await c.request({"type": "echo", "data": "x" * 900})
    assert ok["status"] == "echo"
    await c.send(json.dumps({"type": "echo", "data": "x" * 2000}))
    with pytest.raises(ConnectionClosed):
        await c.recv()
    assert c.ws.close_code == 1009
    other = await make_client(server)
    assert (await other.request({"type": "ping"}))["type"] == "pong"


async def test_default_size_limit_one_mib(server, make_client):
    c = await make_client(server)
    r = await c.request({"type": "echo", "data": "x" * (1048576 - 100)})
    assert len(r["data"]) == 1048576 - 100
    await c.send(json.dumps({"type": "echo", "data": "x" * 1048576}))
    with pytest.raises(ConnectionClosed):
        await c.recv()
    assert c.ws.close_code == 1009


async def test_connection_limit(make_server, make_client):
    server = await make_server(max_connections=2)
    a = await make_client(server)
    b = await make_client(server)
    c = await make_client(server, expect_welcome=False)
    with pytest.raises(ConnectionClosed):
        await c.recv()
    assert c.ws.close_code == 1013
    assert c.ws.close_reason == "Maximum connections exceeded"
    stats = server.get_stats()
    assert stats["connections"]["rejected"] == 1 and stats["connections"]["active"] == 2
    await a.close()
    for _ in range(100):
        if server.get_stats()["connections"]["active"] < 2:
            break
        await asyncio.sleep(0.01)
    d = await make_client(server)
    assert d.welcome["status"] == "connected"
    assert (await b.request({"type": "ping"}))["type"] == "pong"


async def test_ghost_connection_from_failed_handshake(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        data = await asyncio.wait_for(reader.read(1000), RECV_TIMEOUT)
        assert data.startswith(b"HTTP/1.1 4")
    finally:
        writer.close()
    stats = server.get_stats()
    assert stats["connections"]["by_state"]["connecting"] == 1
    assert stats["connections"]["total"] == 1 and stats["connections"]["active"] == 0


async def test_concurrent_clients(server, make_client):
    clients = [await make_client(server) for _ in range(20)]
    assert len({c.client_id for c in clients}) == 20

    async def work(c, i):
        await c.login(["admin", "trader", "viewer"][i % 3])
        for j in range(10):
            r = await c.request({"type": "echo", "data": [i, j]})
            assert r["data"] == [i, j]
        return (await c.request({"type": "heartbeat"}))["client_id"]

    ids = await asyncio.gather(*(work(c, i) for i, c in enumerate(clients)))
    assert ids == [c.client_id for c in clients]
    assert server.get_stats()["connections"]["active"] == 20


async def test_concurrent_backtests_and_broadcast(server, make_client):
    users = ["trader", "admin"]
    clients = []
    for u in users:
        c = await make_client(server)
        await c.login(u)
        await c.request({"type": "subscribe", "stream": "market_data", "symbols": ["BTC_USDT"]})
        clients.append(c)
    for c in clients:
        await c.request({"type": "session_start", "session_type": "backtest",
                         "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 30}})
    for c in clients:
        await c.wait_for(lambda f: f["type"] == "session_update" and f["data"]["status"] == "completed")
    for c in clients:
        md = [f for f in c.pushed if f["type"] == "market_data"]
        # both sessions' bars reach both subscribers
        assert len(md) == 60 or len({f["data"]["session_id"] for f in md}) == 2


async def test_pipelined_requests_keep_order(trader):
    for i in range(200):
        await trader.send({"type": "echo", "data": i, "id": i})
    got = [(await trader.reply())["request_id"] for _ in range(200)]
    assert got == list(range(200))
