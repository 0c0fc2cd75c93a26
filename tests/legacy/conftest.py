"""Shared fixtures: real legacy servers on loopback and a small JSON client."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from legacy.websocket_server import WebSocketAPIServer
from legacy_support import RECV_TIMEOUT, TEST_SETTINGS, Client


@pytest.fixture
async def make_server():
    servers = []

    async def factory(settings=None, **kwargs):
        merged = dict(TEST_SETTINGS)
        merged.update(settings or {})
        kwargs.setdefault("port", 0)
        kwargs.setdefault("host", "127.0.0.1")
        server = WebSocketAPIServer(settings=merged, **kwargs)
        servers.append(server)
        await server.start()
        return server

    try:
        yield factory
    finally:
        for server in servers:
            await server.stop()


@pytest.fixture
async def server(make_server):
    return await make_server()


@pytest.fixture
async def make_client():
    clients = []

    async def factory(server, headers=None, expect_welcome=True):
        ws = await connect(f"ws://127.0.0.1:{server.port}/", proxy=None, ping_interval=None,
                           additional_headers=headers, open_timeout=RECV_TIMEOUT, max_size=None)
        welcome = None
        if expect_welcome:
            welcome = json.loads(await asyncio.wait_for(ws.recv(), RECV_TIMEOUT))
        client = Client(ws, welcome)
        clients.append(client)
        return client

    try:
        yield factory
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.ws.close(), RECV_TIMEOUT)
            except Exception:
                pass


@pytest.fixture
async def client(server, make_client):
    return await make_client(server)


@pytest.fixture
async def trader(server, make_client):
    c = await make_client(server)
    await c.login("trader")
    return c


@pytest.fixture
async def admin(server, make_client):
    c = await make_client(server)
    await c.login("admin")
    return c


@pytest.fixture(autouse=True)
def no_error_logs(caplog):
    """No test may leave an unhandled exception or error log behind (server, websockets, asyncio)."""
    caplog.set_level("WARNING")
    yield
    bad = [r for r in caplog.get_records("call") + caplog.get_records("teardown")
           if r.levelname in ("ERROR", "CRITICAL")]
    assert not bad, [r.getMessage() for r in bad]


@pytest.fixture(scope="module")
def fuzz_client():
    """A logged-in admin client on its own server and event loop, for synchronous hypothesis tests."""
    loop = asyncio.new_event_loop()
    server = WebSocketAPIServer(host="127.0.0.1", port=0,
                                settings=dict(TEST_SETTINGS, lockout_threshold=10 ** 9))
    state = {}

    async def setup():
        await server.start()
        ws = await connect(f"ws://127.0.0.1:{server.port}/", proxy=None, ping_interval=None)
        client = Client(ws, json.loads(await asyncio.wait_for(ws.recv(), RECV_TIMEOUT)))
        await client.login("admin")
        state["client"] = client

    def run(coro):
        return loop.run_until_complete(asyncio.wait_for(coro, 30))

    try:
        run(setup())
        yield run, state["client"]
    finally:
        try:
            if "client" in state:
                run(state["client"].ws.close())
            run(server.stop())
        finally:
            loop.close()
