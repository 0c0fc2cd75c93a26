"""An in-memory driver for the engine: clients without sockets, jobs without sleeps.

Tests use it to exercise the whole core.  Effects go through the same
:meth:`Engine.apply` as in the asyncio server; only the :class:`Outlet` differs:
frames land in lists, and background runs step when asked to.  The driver is
synchronous: it runs the engine's coroutines with :func:`~refactored.core.immediate.complete`,
which the in-memory backends allow (they never wait).
"""

from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Mapping

from refactored.app import build_app
from refactored.config import Config
from refactored.core.clock import Clock
from refactored.core.context import Connection
from refactored.core.effects import Announce, Delivery, Outlet
from refactored.core.immediate import complete
from refactored.core.messages import encode
from refactored.engine import Engine
from refactored.handlers import build_handler_table
from refactored.handlers.subscriptions import broadcast


@dataclass(eq=False)
class MemoryClient:
    """One simulated client: what it received, and whether it is still open."""

    driver: "MemoryDriver"
    conn: Connection
    received: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None

    def send(self, message: dict[str, Any] | str | bytes) -> list[dict[str, Any]]:
        """Send one frame; return the frames this client received because of it."""
        data = message if isinstance(message, (str, bytes)) else json.dumps(message)
        start = len(self.received)
        self.driver.process(self, data)
        return self.received[start:]

    def close(self) -> None:
        """Disconnect, as a client closing its socket."""
        self.driver.disconnect(self)


class MemoryDriver:
    """Runs an :class:`Engine` with in-memory clients."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._clients: dict[Connection, MemoryClient] = {}
        self.jobs: deque[str] = deque()
        self.announced: list[Announce] = []
        self.outlet = Outlet(write=self._write, schedule=self._schedule, announce=self._announce)

    @classmethod
    def build(cls, settings: Mapping[str, Any] | None = None, *, clock: Clock | None = None,
              controller: Any = None, jwt_secret: str | None = None, **arguments: Any) -> "MemoryDriver":
        """A driver around a fresh engine configured like the server would be, on the in-memory
        backends whatever ``WSGM_REDIS_URL`` says (the driver never waits).

        ``arguments`` are the server constructor's (``max_connections``, ...).
        """
        config = Config.build({**(settings or {}), "redis_url": None}, jwt_secret=jwt_secret, **arguments)
        app = build_app(config, clock or Clock(), controller)
        return cls(Engine(app, build_handler_table(), logging.getLogger("refactored.driver")))

    def connect(self, remote_ip: str = "127.0.0.1", reconnect_token: str | None = None) -> MemoryClient:
        """Open a connection (handshake done) and collect its first frames."""
        conn, frames = complete(self.engine.open(remote_ip, reconnect_token))
        client = MemoryClient(self, conn, [json.loads(encode(frame)) for frame in frames])
        self._clients[conn] = client
        return client

    def process(self, client: MemoryClient, data: str | bytes) -> None:
        """Feed one frame to the engine and apply what it produced."""
        outcome = complete(self.engine.receive(client.conn, data))
        client.received.append(json.loads(encode(outcome.reply)))
        for effect in outcome.effects:
            self.apply(effect)

    def apply(self, effect: Any) -> None:
        """Perform one effect as the server would (background runs wait for :meth:`run_jobs`)."""
        complete(self.engine.apply(effect, self.outlet))

    def run_jobs(self, steps: int | None = None) -> None:
        """Run background jobs without sleeping: ``steps`` steps of the first, or all to their end."""
        while self.jobs and steps != 0:
            if not complete(self.engine.step(self.jobs[0], self.outlet)):
                self.jobs.popleft()
                continue
            steps = None if steps is None else steps - 1

    def flush(self) -> None:
        """One pass of the retry flusher."""
        complete(self.engine.flush(self.outlet))

    def broadcast(self, stream: str, data: Any, exclude: str | None = None) -> int:
        """``broadcast_to_subscribers`` as the server does it; how many got it."""
        effect = complete(broadcast(self.engine.app, stream, data, exclude))
        return 0 if effect is None else complete(self.engine.broadcast(effect, self.outlet))

    def disconnect(self, client: MemoryClient) -> None:
        """Close ``client``'s connection on the server side."""
        self._clients.pop(client.conn, None)
        complete(self.engine.close(client.conn))
        client.close_code = client.close_code or 1000

    def _write(self, delivery: Delivery) -> list[Connection]:
        missed = []
        for conn in delivery.conns:
            client = self._clients.get(conn)
            if client is not None:
                client.received.append(json.loads(delivery.text))
            else:
                missed.append(conn)
        return missed

    def _schedule(self, key: str, interval: float) -> None:
        self.jobs.append(key)

    def _announce(self, topic: str, data: dict[str, Any]) -> None:
        self.announced.append(Announce(topic, data))
