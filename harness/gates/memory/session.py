"""One replay for the memory gate: a whole client session against a long-lived server."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator

from websockets.asyncio.client import connect

from harness.gates.bench.rig import FRAME_TIMEOUT, PASSWORDS, STREAM, SYMBOL, recv_json, request
from harness.gates.targets import load_class

MEMORY_SETTINGS = {"rate_limit": 10**9, "rate_window": 60, "passwords": PASSWORDS}
SCRIPT = (
    {"type": "login", "username": "trader", "password": "trader123"},
    {"type": "subscribe", "stream": STREAM, "symbols": [SYMBOL]},
    {"type": "ping"},
    {"type": "echo", "payload": {"x": 1}},
    {"type": "no_such_type"},
    {"type": "unsubscribe", "stream": STREAM, "symbols": [SYMBOL]},
    {"type": "logout"},
)


async def replay_session(url: str) -> None:
    """Connect, log in, subscribe, exchange a few requests, log out, close."""
    async with connect(url, proxy=None, compression=None, ping_interval=None, open_timeout=FRAME_TIMEOUT) as ws:
        await recv_json(ws)
        for number, message in enumerate(SCRIPT):
            await request(ws, {**message, "id": number})


@contextlib.asynccontextmanager
async def long_lived(target: str) -> AsyncIterator[Any]:
    """The target started once on a free loopback port; always stopped."""
    server = load_class(target)(settings=dict(MEMORY_SETTINGS), host="127.0.0.1", port=0, heartbeat_interval=3600)
    await asyncio.wait_for(server.start(), 10)
    try:
        yield server
    finally:
        await asyncio.wait_for(server.stop(), 10)


def url_of(server: Any) -> str:
    return f"ws://127.0.0.1:{server.port}/"


async def replays(server: Any, count: int) -> None:
    """``count`` sessions, one after the other."""
    for _ in range(count):
        await replay_session(url_of(server))
    await asyncio.sleep(0)
