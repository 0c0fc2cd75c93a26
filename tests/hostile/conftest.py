"""Fixtures for hostile-input tests: both servers, a log watch, raw and JSON clients."""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import logging
import sys
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_support import RECV_TIMEOUT, Client, LogWatch  # noqa: E402

TARGETS = {
    "legacy": "legacy.websocket_server:WebSocketAPIServer",
    "refactored": "refactored:WebSocketAPIServer",
}
BASE_SETTINGS = {"bar_interval": 0.001, "rate_limit": 1_000_000}


def load_class(name: str):
    module, _, attr = TARGETS[name].partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except Exception as exc:  # the refactored package may still be in progress
        pytest.skip(f"{TARGETS[name]} does not import yet: {exc!r}")


@pytest.fixture(params=sorted(TARGETS))
def impl(request) -> str:
    """The server under test: 'legacy' or 'refactored'."""
    return request.param


@pytest.fixture
def server_class(impl):
    return load_class(impl)


@pytest.fixture
async def logwatch():
    """Fails the test if the server logged an error/exception or the loop saw an unhandled one."""
    watch = LogWatch()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(watch)
    root.setLevel(logging.INFO)
    loop = asyncio.get_running_loop()
    old_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, ctx: watch.loop_errors.append(ctx))
    try:
        yield watch
        await asyncio.sleep(0)
        gc.collect()  # an unretrieved task exception is reported when the task is collected
    finally:
        root.removeHandler(watch)
        root.setLevel(old_level)
        loop.set_exception_handler(old_handler)
    assert not watch.problems(), watch.problems()


@pytest.fixture
async def make_server(server_class, logwatch):
    """Start servers of the class under test (always stopped, bounded)."""
    servers = []

    async def factory(settings=None, **kwargs):
        kwargs.setdefault("host", "127.0.0.1")
        kwargs.setdefault("port", 0)
        server = server_class(settings={**BASE_SETTINGS, **(settings or {})}, **kwargs)
        servers.append(server)
        await asyncio.wait_for(server.start(), 10)
        return server

    try:
        yield factory
    finally:
        for server in servers:
            await asyncio.wait_for(server.stop(), 15)


@pytest.fixture
async def server(make_server):
    return await make_server()


@pytest.fixture
async def make_client():
    clients = []

    async def factory(server, headers=None, welcome=True, **options):
        options.setdefault("max_size", None)
        ws = await connect(f"ws://127.0.0.1:{server.port}/", proxy=None, ping_interval=None,
                           additional_headers=headers, open_timeout=RECV_TIMEOUT, **options)
        client = Client(ws)
        clients.append(client)
        if welcome:
            client.welcome = json.loads(await asyncio.wait_for(ws.recv(), RECV_TIMEOUT))
            client.check(client.welcome)
        return client

    try:
        yield factory
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.ws.close(), 0 if client.aborted else 1)
            except Exception:
                pass
            client.ws.transport.abort()  # a client that stopped reading never finishes the handshake


@pytest.fixture
async def client(server, make_client):
    return await make_client(server)


@pytest.fixture
def still_serving(make_client):
    """Assert a fresh client is welcomed and its ping answered."""
    async def check(server):
        other = await make_client(server)
        assert other.welcome["status"] == "connected"
        pong = await other.request({"type": "ping"})
        assert pong["type"] == "pong", pong
        await other.close()
    return check
