"""Misbehaving targets with the server API the harness starts in process."""

from __future__ import annotations

import asyncio
import json
import socket

from websockets.asyncio.server import serve


class _Base:
    def __init__(self, settings=None, host="127.0.0.1", port=0, **_):
        self.host, self.port, self.settings = host, port, settings or {}
        self.server = None

    async def stop(self):
        if self.server is not None:
            for connection in list(self.server.connections):
                connection.transport.abort()
            self.server.close()
            await asyncio.wait_for(self.server.wait_closed(), 5)
            self.server = None


class RefusingServer(_Base):
    """Reports a port nobody listens on: every connection is refused."""

    async def start(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]


class FailingStartServer(_Base):
    """start() raises."""

    async def start(self):
        raise RuntimeError("cannot bind: simulated start failure")


class HangingStartServer(_Base):
    """start() never returns."""

    async def start(self):
        await asyncio.Event().wait()


class _Answering(_Base):
    """Welcome, then pong to anything, until `misbehave()` decides otherwise."""

    async def start(self):
        self.count = 0
        self.server = await serve(self.handle, self.host, 0, ping_interval=None)
        self.port = self.server.sockets[0].getsockname()[1]

    async def handle(self, ws):
        await ws.send(json.dumps({"type": "status", "status": "connected"}))
        async for _ in ws:
            self.count += 1
            if await self.misbehave(ws):
                return
            await ws.send(json.dumps({"type": "pong"}))

    async def misbehave(self, ws) -> bool:
        return False


class CrashingServer(_Answering):
    """Dies after the 3rd message: every connection reset, the listener gone."""

    async def misbehave(self, ws) -> bool:
        if self.count < 3:
            return False
        self.server.close(close_connections=False)
        for connection in list(self.server.connections):
            connection.transport.abort()
        return True


class MuteServer(_Answering):
    """Welcomes, then never answers anything again (the connections stay open)."""

    async def misbehave(self, ws) -> bool:
        await asyncio.Event().wait()
        return True
