"""The physical limit: a JSON echo server on ``websockets`` with the servers' framing and no logic.

Every text frame is parsed with ``json.loads`` and sent back with ``json.dumps`` (the same
encoder and separators as the trading servers); a request's ``id`` is copied to
``request_id`` so request/response clients work unchanged. A connection first gets a small
welcome frame. ``broadcast_to_subscribers`` sends a stream frame to every open connection.
The class has the trading servers' constructor and lifecycle API so the benchmarks drive all
three the same way.

Run it alone: ``python -m benchmarks.echo_server --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
from datetime import datetime, timezone
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

WELCOME = json.dumps({"type": "status", "status": "connected"})


def echo(text: str) -> str:
    """The reply to one text frame: the same object, plus ``request_id`` when it has an ``id``."""
    message = json.loads(text)
    if isinstance(message, dict) and "id" in message:
        message["request_id"] = message["id"]
    return json.dumps(message)


class EchoServer:
    """Echo server with the trading servers' API (``start``, ``stop``, ``port``, broadcast)."""

    def __init__(self, event_bus: Any = None, logger: Any = None, settings: dict | None = None,
                 host: str = "localhost", port: int = 8080, jwt_secret: str | None = None,
                 max_connections: int = 1000, heartbeat_interval: float = 30, controller: Any = None) -> None:
        self.host = host
        self.port = port
        self.heartbeat_interval = heartbeat_interval
        self.max_size = (settings or {}).get("max_message_size", 1 << 20)
        self.connections: set[ServerConnection] = set()
        self._server: Server | None = None

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections.add(ws)
        try:
            await ws.send(WELCOME)
            async for data in ws:
                await ws.send(echo(data) if isinstance(data, str) else data)
        except ConnectionClosed:
            pass
        finally:
            self.connections.discard(ws)

    async def start(self) -> None:
        """Listen on ``host:port`` (port 0 picks a free one)."""
        if self._server is not None:
            return
        keepalive = self.heartbeat_interval or None
        self._server = await serve(self._handle, self.host, self.port, max_size=self.max_size,
                                   ping_interval=keepalive, ping_timeout=keepalive)
        ports = [s.getsockname()[1] for s in self._server.sockets if s.family == socket.AF_INET]
        self.port = (ports or [self._server.sockets[0].getsockname()[1]])[0]

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._server is None:
            return
        self._server.close()
        await asyncio.wait_for(self._server.wait_closed(), 10)
        self._server = None

    async def __aenter__(self) -> "EchoServer":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def broadcast_to_subscribers(self, stream: str, data: Any, exclude_client: str | None = None) -> int:
        """One stream frame to every open connection; the number of connections."""
        frame = {"type": stream, "stream": stream, "data": data,
                 "timestamp": datetime.now(timezone.utc).isoformat()}
        broadcast(self.connections, json.dumps(frame))
        return len(self.connections)

    def get_stats(self) -> dict:
        return {"connections": {"total": len(self.connections)}}

    async def health_check(self) -> dict:
        return {"status": "healthy" if self._server is not None else "stopped"}


async def _serve_forever(host: str, port: int) -> None:
    async with EchoServer(host=host, port=port) as server:
        print(f"echo server on ws://{host}:{server.port}/", flush=True)
        await asyncio.Future()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve_forever(args.host, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
