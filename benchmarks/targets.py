"""The three servers under benchmark and the rigs (server + connected clients) they run in."""

from __future__ import annotations

import asyncio
import contextlib
import resource
from typing import AsyncIterator

from subject_trading.rig import BENCH_SETTINGS, FRAME_TIMEOUT, Rig, _client
from harness.gates.result import GateError
from harness.gates.targets import load_class

TARGETS = {
    "legacy": "legacy",
    "refactored": "refactored",
    "echo": "benchmarks.echo_server:EchoServer",
}
CONNECT_BATCH = 50


def raise_fd_limit(wanted: int = 1 << 16) -> int:
    """Raise RLIMIT_NOFILE towards ``wanted``: the hard limit too when allowed (root), else the soft one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
        except (ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    elif soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def unavailable(name: str) -> str | None:
    """Why ``name``'s server cannot be benchmarked (cannot import / construct), or None."""
    try:
        load_class(TARGETS[name])(settings=dict(BENCH_SETTINGS), host="127.0.0.1", port=0)
    except (GateError, Exception) as exc:  # any failure of a half-finished package is a skip reason
        return f"{name} unavailable: {exc!r}"[:300]
    return None


async def connect_clients(url: str, count: int, user: tuple[str, str]) -> list:
    """``count`` logged-in clients subscribed to the bench stream, connected in batches."""
    clients: list = []
    while len(clients) < count:
        batch = min(CONNECT_BATCH, count - len(clients))
        clients.extend(await asyncio.gather(*(_client(url, *user) for _ in range(batch))))
    return clients


@contextlib.asynccontextmanager
async def running_rig(name: str, clients: int, user: tuple[str, str] = ("viewer", "viewer123"),
                      settings: dict | None = None) -> AsyncIterator[Rig]:
    """Start server ``name`` on a free loopback port with ``clients`` clients; always stop it."""
    cls = load_class(TARGETS[name])
    server = cls(settings=dict(settings or BENCH_SETTINGS), host="127.0.0.1", port=0,
                 heartbeat_interval=3600, max_connections=clients + 100)
    await asyncio.wait_for(server.start(), 10)
    opened: list = []
    try:
        opened = await asyncio.wait_for(connect_clients(f"ws://127.0.0.1:{server.port}/", clients, user),
                                        FRAME_TIMEOUT + clients * 0.05)
        yield Rig(name, server, tuple(opened))
    finally:
        await asyncio.gather(*(ws.close() for ws in opened), return_exceptions=True)
        await asyncio.wait_for(server.stop(), 30)
