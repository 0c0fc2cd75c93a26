"""Servers with a Python side for the call and event tests: public methods of every shape, and an
event bus that a client frame makes them publish on."""

from __future__ import annotations

import asyncio
import json

from harness_servers import BaseServer


class CallableServer(BaseServer):
    """Counts frames; `{"publish": topic}` publishes `{"frames": n}` on the event bus, then replies."""

    label = "not a method"

    def __init__(self, event_bus=None, logger=None, settings=None, host="localhost", port=8080, **_ignored) -> None:
        super().__init__(event_bus, logger, settings, host, port)
        self.event_bus = event_bus
        self.frames = 0

    async def handler(self, ws) -> None:
        async for message in ws:
            self.frames += 1
            topic = json.loads(message).get("publish")
            if topic is not None:
                self.event_bus.publish(topic, {"frames": self.frames, "tags": ("a", "b")})
            await ws.send(json.dumps({"frames": self.frames}))

    def add(self, a: int, b: int = 0) -> int:
        return a + b + self.frames

    async def stats(self) -> dict:
        await asyncio.sleep(0)
        return {"frames": self.frames, "port": self.port, "ratio": 0.5}

    def fail(self) -> None:
        raise ValueError("bad")

    async def hang(self) -> None:
        await asyncio.Event().wait()

    def _secret(self) -> str:
        return "private"


class OffByOneServer(CallableServer):
    """`add` returns one more; publications carry another field."""

    def add(self, a: int, b: int = 0) -> int:
        return super().add(a, b) + 1


class NoBusServer(CallableServer):
    """Takes no event bus: what it would publish is lost."""

    def __init__(self, settings=None, host="localhost", port=8080) -> None:
        super().__init__(_NullBus(), None, settings, host, port)


class _NullBus:
    def publish(self, topic, data) -> None:
        return None
