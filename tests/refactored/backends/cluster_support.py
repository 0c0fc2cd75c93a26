"""Two or more instances of the refactored server sharing one Redis, and loopback clients."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from refactored import WebSocketAPIServer

WAIT = 5.0  # seconds any single expected frame or condition may take
LOGIN = {"type": "login", "username": "trader", "password": "trader123"}


def settings(redis_url: str, tmp_path: Any, **extra: Any) -> dict[str, Any]:
    return {"redis_url": redis_url, "redis_namespace": "cluster-test",
            "strategies_dir": str(tmp_path / "strategies"), **extra}


@asynccontextmanager
async def cluster(redis_url: str, tmp_path: Any, size: int = 2, **extra: Any):
    """``size`` started servers of one cluster on free loopback ports; stopped on exit."""
    servers = [WebSocketAPIServer(host="127.0.0.1", port=0, settings=settings(redis_url, tmp_path, **extra))
               for _ in range(size)]
    try:
        for server in servers:
            await server.start()
        yield servers
    finally:
        for server in servers:
            await server.stop()


class Client:
    """A websockets client with bounded reads."""

    def __init__(self, ws: ClientConnection, welcome: dict[str, Any]) -> None:
        self.ws = ws
        self.welcome = welcome
        self.token = welcome.get("reconnect_token")  # none when the connection was refused
        self.client_id = welcome.get("client_id")

    @classmethod
    async def open(cls, port: int, token: str | None = None) -> "Client":
        headers = {"X-Reconnect-Token": token} if token else None
        ws = await connect(f"ws://127.0.0.1:{port}", proxy=None, ping_interval=None, open_timeout=WAIT,
                           additional_headers=headers)
        return cls(ws, json.loads(await asyncio.wait_for(ws.recv(), WAIT)))

    async def next(self, timeout: float = WAIT) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        await self.ws.send(json.dumps(message))
        return await self.next()

    async def silent(self, seconds: float = 0.7) -> bool:
        """True if nothing arrives within ``seconds`` (longer than one upkeep pass)."""
        try:
            frame = await self.next(seconds)
        except asyncio.TimeoutError:
            return True
        raise AssertionError(f"unexpected frame {frame}")

    async def close(self) -> None:
        await self.ws.close()


async def until(condition: Any, timeout: float = WAIT, step: float = 0.02) -> None:
    """Wait (bounded) until ``await condition()`` is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(step)


async def saved(server: WebSocketAPIServer, client_id: str) -> None:
    """Wait until ``client_id``'s session is saved in the cluster's store."""
    await until(lambda: server.engine.app.reconnects.is_saved(client_id, 0))
