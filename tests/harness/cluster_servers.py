"""A tiny server made to run as a cluster: its instances share a Redis under a namespace.

`ClusterServer(settings={"redis_url": ..., "namespace": ...}, host=..., port=0, event_bus=None)`:
- on start, takes the next instance number of its namespace (INCR, from 0), so instances started
  one after the other are numbered as the harness numbers them;
- greets each connection with `{"type": "hello", "instance": n}`;
- `{"type": "count"}`: increments a counter shared by the cluster, replies `{"type": "count", "n": …}`;
- `{"type": "shout", "text": …}` and the method `shout(text)`: published on the namespace's
  channel; every instance sends `{"type": "heard", "text": …, "by": n}` to each of its clients;
- publishes `("connected", {"instance": n})` on its event bus for each connection.
Without `redis_url` (a single server) it is instance 0 with local state.
Run as a command: `python cluster_servers.py --port P` (settings from WSGM_SETTINGS, the URL
from WSGM_REDIS_URL when the settings have none).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os

import redis.asyncio as aioredis
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed


class ClusterServer:
    def __init__(self, settings=None, host="127.0.0.1", port=0, event_bus=None, **_ignored) -> None:
        self.settings = dict(settings or {})
        self.host = host
        self.port = port
        self.bus = event_bus
        self.url = self.settings.get("redis_url") or os.environ.get("WSGM_REDIS_URL", "")
        self.namespace = self.settings.get("namespace", "plain")
        self.redis = aioredis.Redis.from_url(self.url) if self.url else None
        self.instance = 0
        self.local_count = 0
        self.clients: set = set()
        self.server = None
        self.listener: asyncio.Task | None = None

    def key(self, name: str) -> str:
        return f"{self.namespace}:{name}"

    async def start(self) -> None:
        if self.redis is not None:
            self.instance = await self.redis.incr(self.key("instances")) - 1
            pubsub = self.redis.pubsub()
            await pubsub.subscribe(self.key("shouts"))
            self.listener = asyncio.create_task(self.listen(pubsub))
        self.server = await serve(self.handler, self.host, self.port, ping_interval=None)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.listener is not None:
            self.listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.listener
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        if self.redis is not None:
            await self.redis.aclose()

    async def listen(self, pubsub) -> None:
        async for message in pubsub.listen():
            if message["type"] == "message":
                await self.deliver(message["data"].decode())

    async def deliver(self, text: str) -> None:
        frame = json.dumps({"type": "heard", "text": text, "by": self.instance})
        for ws in list(self.clients):
            with contextlib.suppress(ConnectionClosed):
                await ws.send(frame)

    async def shout(self, text: str) -> int:
        """Publish `text` to every client of every instance; returns this instance's number."""
        if self.redis is not None:
            await self.redis.publish(self.key("shouts"), text)
        else:
            await self.deliver(text)
        return self.instance

    async def count(self) -> int:
        if self.redis is not None:
            return await self.redis.incr(self.key("count"))
        self.local_count += 1
        return self.local_count

    async def handler(self, ws) -> None:
        self.clients.add(ws)
        if self.bus is not None:
            self.bus.publish("connected", {"instance": self.instance})
        try:
            await ws.send(json.dumps({"type": "hello", "instance": self.instance}))
            async for message in ws:
                request = json.loads(message)
                if request.get("type") == "count":
                    await ws.send(json.dumps({"type": "count", "n": await self.count()}))
                elif request.get("type") == "shout":
                    await self.shout(request["text"])
        finally:
            self.clients.discard(ws)


async def main(port: int) -> None:
    server = ClusterServer(json.loads(os.environ.get("WSGM_SETTINGS", "{}")), port=port)
    await server.start()
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parser.parse_args().port))
