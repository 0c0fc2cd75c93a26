"""The websockets loop: start/stop, limits, no ghost connections, no leaked tasks."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from refactored import WebSocketAPIServer
from refactored.core.errors import ConfigurationError


def url(server):
    return f"ws://127.0.0.1:{server.port}"


async def open_client(server, **kwargs):
    ws = await connect(url(server), proxy=None, ping_interval=None, open_timeout=5, **kwargs)
    welcome = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return ws, welcome


async def test_start_picks_a_port_and_stop_leaves_no_tasks():
    before = asyncio.all_tasks()
    server = WebSocketAPIServer(host="127.0.0.1", port=0)
    await server.start()
    assert server.port != 0
    ws, welcome = await open_client(server)
    assert welcome["status"] == "connected"
    await ws.send(json.dumps({"type": "ping", "id": 1}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["request_id"] == 1
    await server.stop()
    await ws.close()
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before == set()


async def test_context_manager_and_stats_go_back_to_zero():
    async with WebSocketAPIServer(host="127.0.0.1", port=0) as server:
        ws, _ = await open_client(server)
        assert server.get_stats()["connections"]["by_state"]["connected"] == 1
        await ws.close()
        for _ in range(100):
            if server.get_stats()["connections"]["total"] == 0:
                break
            await asyncio.sleep(0.01)
        assert server.get_stats()["connections"]["total"] == 0


async def test_over_max_connections_closes_1013():
    async with WebSocketAPIServer(host="127.0.0.1", port=0, max_connections=1) as server:
        first, _ = await open_client(server)
        ws = await connect(url(server), proxy=None, open_timeout=5)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 1013
        await first.close()


async def test_oversized_frame_closes_1009_and_others_continue():
    async with WebSocketAPIServer(host="127.0.0.1", port=0, settings={"max_message_size": 1000}) as server:
        big, _ = await open_client(server)
        other, _ = await open_client(server)
        await big.send("x" * 2000)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(big.recv(), 5)
        assert big.close_code == 1009
        await other.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(other.recv(), 5))["type"] == "pong"
        await other.close()


async def test_reconnect_header_restores_identity():
    async with WebSocketAPIServer(host="127.0.0.1", port=0) as server:
        ws, welcome = await open_client(server)
        await ws.close()
        await asyncio.sleep(0.05)
        again, second = await open_client(server, additional_headers={"X-Reconnect-Token": welcome["reconnect_token"]})
        assert second["client_id"] == welcome["client_id"]
        await again.close()


def test_production_without_secret_refuses_to_start():
    with pytest.raises(ConfigurationError):
        WebSocketAPIServer(settings={"environment": "production"})


async def test_failed_handshake_leaves_no_ghost():
    async with WebSocketAPIServer(host="127.0.0.1", port=0) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        await asyncio.wait_for(reader.read(), 5)
        writer.close()
        stats = server.get_stats()["connections"]
        assert stats["total"] == 0 and stats["by_state"]["connecting"] == 0


async def test_a_client_that_never_reads_does_not_stall_others():
    async with WebSocketAPIServer(host="127.0.0.1", port=0, settings={"rate_limit": 10**6}) as server:
        lazy, _ = await open_client(server, max_size=None, max_queue=1)
        lazy.transport.pause_reading()
        login = {"type": "login", "username": "trader", "password": "trader123"}
        busy, _ = await open_client(server)
        await busy.send(json.dumps(login))
        await asyncio.wait_for(busy.recv(), 5)
        big = json.dumps({"type": "echo", "data": "x" * 50_000})
        for _ in range(100):
            await lazy.send(big)
        await busy.send(json.dumps({"type": "subscribe", "stream": "account"}))
        await asyncio.wait_for(busy.recv(), 5)
        for n in range(20):
            await busy.send(json.dumps({"type": "ping", "id": n}))
            assert json.loads(await asyncio.wait_for(busy.recv(), 5))["request_id"] == n
        assert await server.broadcast_to_subscribers("account", {"n": 1}) == 1
        lazy.transport.abort()
        await busy.close()


async def test_event_bus_may_be_sync_or_missing_or_broken():
    calls = []

    class SyncBus:
        def publish(self, topic, data):
            calls.append(topic)

    class BrokenBus:
        def publish(self, topic, data):
            raise RuntimeError("down")

    for bus in (SyncBus(), BrokenBus(), object()):
        async with WebSocketAPIServer(host="127.0.0.1", port=0, event_bus=bus) as server:
            ws, _ = await open_client(server)
            await ws.send(json.dumps({"type": "login", "username": "trader", "password": "trader123"}))
            await ws.recv()
            await ws.send(json.dumps({"type": "session_start", "session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["status"] == "session_started"
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "session_update"
            await ws.close()
    assert calls == ["session_update"]


async def test_restart_keeps_figures_and_forgets_state():
    server = WebSocketAPIServer(host="127.0.0.1", port=0)
    await server.start()
    ws, _ = await open_client(server)
    await ws.send(json.dumps({"type": "login", "username": "trader", "password": "trader123"}))
    await ws.recv()
    await ws.send(json.dumps({"type": "subscribe", "stream": "orders"}))
    await ws.recv()
    await server.stop()
    stats = server.get_stats()
    assert stats["connections"]["accepted"] == 1 and stats["subscriptions"]["orders"] == 0
    assert stats["sessions"]["persisted"] == 0 and stats["server"]["running"] is False
    await server.start()
    again, _ = await open_client(server)
    assert server.get_stats()["connections"]["accepted"] == 2
    await again.close()
    await server.stop()


async def test_heartbeat_can_be_turned_off():
    async with WebSocketAPIServer(host="127.0.0.1", port=0, heartbeat_interval=None) as server:
        ws, _ = await open_client(server)
        await ws.send(json.dumps({"type": "heartbeat"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["status"] == "heartbeat_ack"
        assert server.get_stats()["connections"]["healthy"] == 1
        await ws.close()


async def test_repeated_reconnect_header_is_ignored():
    from websockets.datastructures import Headers
    async with WebSocketAPIServer(host="127.0.0.1", port=0) as server:
        ws, welcome = await open_client(server)
        await ws.close()
        await asyncio.sleep(0.05)
        token = welcome["reconnect_token"]
        headers = Headers([("X-Reconnect-Token", token), ("X-Reconnect-Token", token)])
        again, second = await open_client(server, additional_headers=headers)
        assert second["status"] == "connected" and second["client_id"] != welcome["client_id"]
        await again.close()


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70_000])
def test_text_frame_is_what_websockets_serialises(size):
    from websockets.frames import Frame, Opcode

    from refactored.server import text_frame

    text = ("é€" * size)[:size]
    assert text_frame(text) == Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


async def test_plain_and_compressed_clients_get_the_same_frames():
    async with WebSocketAPIServer(host="127.0.0.1", port=0, settings={"rate_limit": 10**6}) as server:
        plain, _ = await open_client(server, compression=None, max_size=None)
        deflate, _ = await open_client(server, max_size=None)
        assert not plain.protocol.extensions and deflate.protocol.extensions
        replies = []
        for ws in (plain, deflate):
            await ws.send(json.dumps({"type": "login", "username": "viewer", "password": "viewer123"}))
            await asyncio.wait_for(ws.recv(), 5)
            await ws.send(json.dumps({"type": "subscribe", "stream": "market_data", "id": 1}))
            await asyncio.wait_for(ws.recv(), 5)
            for size in (10, 200, 70_000):
                await ws.send(json.dumps({"type": "echo", "data": "x" * size, "id": size}))
                reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
                replies.append((reply["request_id"], len(reply["data"])))
        assert replies[:3] == replies[3:] == [(10, 10), (200, 200), (70_000, 70_000)]
        data = {"symbol": "BTC_USDT", "blob": "y" * 70_000}
        assert await server.broadcast_to_subscribers("market_data", data) == 2
        frames = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for ws in (plain, deflate)]
        assert frames[0] == frames[1] and frames[0]["data"] == data
        await plain.close()
        await deflate.close()
