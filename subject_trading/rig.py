"""A running trading server with logged-in, subscribed clients: what a broadcast workload drives."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any, AsyncIterator

from websockets.asyncio.client import ClientConnection, connect

from harness.gates.result import GateError
from harness.targets import load_server_class, parse_target

# The development users, whatever the project's fixtures say.
PASSWORDS = {"admin": "admin123", "trader": "trader123", "viewer": "viewer123"}
BENCH_SETTINGS = {"rate_limit": 10**9, "rate_window": 60, "passwords": PASSWORDS}
FRAME_TIMEOUT = 5.0
STREAM = "market_data"
SYMBOL = "BTC_USDT"


@dataclass(frozen=True)
class Rig:
    """One server and its clients: ``clients[0]`` drives round trips, all are subscribed."""

    name: str
    server: Any
    clients: tuple[ClientConnection, ...]


async def recv_json(ws: ClientConnection) -> dict:
    """The next frame, parsed, bounded by ``FRAME_TIMEOUT``."""
    return json.loads(await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT))


async def request(ws: ClientConnection, message: dict) -> dict:
    """Send one request and wait for its reply (skipping pushed frames)."""
    await ws.send(json.dumps(message))
    while True:
        reply = await recv_json(ws)
        if reply.get("request_id") == message["id"]:
            return reply


async def _log_in(ws: ClientConnection, username: str, password: str) -> None:
    await recv_json(ws)  # the welcome
    login = await request(ws, {"type": "login", "id": "login", "username": username, "password": password})
    subscribe = await request(ws, {"type": "subscribe", "id": "sub", "stream": STREAM, "symbols": [SYMBOL]})
    if login.get("type") == "error" or subscribe.get("type") == "error":
        raise GateError(f"bench setup: login/subscribe refused: {login} {subscribe}")


async def _client(url: str, username: str, password: str) -> ClientConnection:
    """A connected client, logged in and subscribed (closed again if that fails)."""
    ws = await connect(url, proxy=None, compression=None, ping_interval=None, open_timeout=FRAME_TIMEOUT)
    try:
        await _log_in(ws, username, password)
    except BaseException:
        await ws.close()
        raise
    return ws


@contextlib.asynccontextmanager
async def running_rig(
    name: str, target: str, subscribers: int, user: tuple[str, str] = ("viewer", "viewer123")
) -> AsyncIterator[Rig]:
    """Start ``target`` on a free loopback port with ``subscribers`` clients; always stop it."""
    server_class = load_server_class(parse_target(target))
    server = server_class(settings=dict(BENCH_SETTINGS), host="127.0.0.1", port=0, heartbeat_interval=3600)
    await asyncio.wait_for(server.start(), 10)
    clients: list[ClientConnection] = []
    try:
        url = f"ws://127.0.0.1:{server.port}/"
        for _ in range(subscribers):
            clients.append(await _client(url, *user))
        yield Rig(name, server, tuple(clients))
    finally:
        for ws in clients:
            await ws.close()
        await asyncio.wait_for(server.stop(), 10)
