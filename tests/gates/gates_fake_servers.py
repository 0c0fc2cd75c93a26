"""Tiny servers with the shared constructor/start/stop/broadcast API, for gate tests."""

from __future__ import annotations

import asyncio
import json
import time

from websockets.asyncio.server import serve


class FakeServer:
    """Answers every request at once; subscribers get broadcasts."""

    cost = 0.0  # seconds of busy work per message handled
    leak = 0  # bytes kept forever per connection
    retained: list = []

    def __init__(
        self,
        event_bus=None,
        logger=None,
        settings=None,
        host="localhost",
        port=8080,
        jwt_secret=None,
        max_connections=1000,
        heartbeat_interval=30,
        controller=None,
    ):
        self.host, self.port = host, port
        self.subscribers: set = set()
        self._server = None

    async def start(self) -> None:
        self._server = await serve(self._handle, self.host, self.port, compression=None)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.stop()

    def _burn(self) -> None:
        end = time.perf_counter() + self.cost
        while time.perf_counter() < end:
            pass

    async def _handle(self, ws) -> None:
        await ws.send(json.dumps({"type": "status", "status": "connected"}))
        if self.leak:
            type(self).retained.append(bytearray(self.leak))
        try:
            async for raw in ws:
                await ws.send(json.dumps(self._reply(json.loads(raw), ws)))
        finally:
            self.subscribers.discard(ws)

    def _reply(self, message: dict, ws) -> dict:
        self._burn()
        if message.get("type") == "subscribe":
            self.subscribers.add(ws)
        reply = {"type": "pong"} if message.get("type") == "ping" else {"type": "response", "status": "ok"}
        if "id" in message:
            reply["request_id"] = message["id"]
        return reply

    async def broadcast_to_subscribers(self, stream, data, exclude_client=None) -> int:
        frame = json.dumps({"type": stream, "stream": stream, "data": data})
        for ws in list(self.subscribers):
            self._burn()
            await ws.send(frame)
        return len(self.subscribers)

    def get_stats(self) -> dict:
        return {"connections": len(self.subscribers)}


class SlowServer(FakeServer):
    """Twice as slow or worse on every message."""

    cost = 0.0003


class LeakyServer(FakeServer):
    """Keeps 8 KiB per connection forever."""

    leak = 8192


class LingeringServer(FakeServer):
    """Holds 16 KiB for 0.3 s after each connection closes (cleanup work), then lets it go."""

    linger = 0.3

    async def _handle(self, ws) -> None:
        try:
            await super()._handle(ws)
        finally:
            held = bytearray(16384)
            await asyncio.sleep(self.linger)
            del held


class ChangedServer(FakeServer):
    """Answers ``ping`` with an extra field: a behavioural change the golden gate must catch."""

    def _reply(self, message: dict, ws) -> dict:
        reply = super()._reply(message, ws)
        return {**reply, "extra": True} if reply["type"] == "pong" else reply


class IOServer(FakeServer):
    """Waits 5 ms on simulated I/O (a database call) before each reply."""

    io_wait = 0.005

    async def _handle(self, ws) -> None:
        await ws.send(json.dumps({"type": "status", "status": "connected"}))
        async for raw in ws:
            await self._io()
            await ws.send(json.dumps(self._reply(json.loads(raw), ws)))

    async def _io(self) -> None:
        await asyncio.sleep(self.io_wait)


class SerialIOServer(IOServer):
    """The same I/O behind one lock for all clients: as fast alone, a queue under concurrency."""

    async def start(self) -> None:
        self._turn = asyncio.Lock()
        await super().start()

    async def _io(self) -> None:
        async with self._turn:
            await super()._io()
