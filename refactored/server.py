"""The asyncio/websockets loop around the sans-I/O engine.

It accepts connections, feeds their frames to :class:`~refactored.engine.Engine`,
writes what comes back, and gives the engine an :class:`~refactored.engine.Outlet`
for its effects: non-blocking writes, timers for background runs, the event bus.
Nothing here decides what to answer.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import shutil
import socket
from dataclasses import replace
from typing import Any, Mapping

from websockets.asyncio.connection import broadcast as write_now
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from refactored.app import App, build_app
from refactored.backends import build_backends
from refactored.config import Config
from refactored.core.clock import Clock
from refactored.core.context import Connection
from refactored.core.effects import Delivery, Outlet
from refactored.core.errors import AtCapacity, BackendUnavailable
from refactored.core.messages import encode, text_frame
from refactored.engine import Engine
from refactored.handlers import build_handler_table
from refactored.handlers.subscriptions import broadcast
from refactored.legacy_surface import LegacyAttributes
from refactored.stats import health_report, instance_report, stats_report

FLUSH_INTERVAL = 0.5
WRITE_LIMIT = 2**15  # bytes buffered for one client before its replies wait for it to read


class WebSocketAPIServer(LegacyAttributes):
    """The trading WebSocket API server (same constructor and API as the legacy one)."""

    def __init__(self, event_bus: Any = None, logger: logging.Logger | None = None,
                 settings: Mapping[str, Any] | None = None, host: str = "localhost", port: int = 8080,
                 jwt_secret: str | None = None, max_connections: int = 1000, heartbeat_interval: float = 30,
                 controller: Any = None) -> None:
        self.event_bus = event_bus
        self.logger = logger or logging.getLogger("refactored.server")
        self.config = Config.build(settings, jwt_secret=jwt_secret, host=host, port=port,
                                   max_connections=max_connections, heartbeat_interval=heartbeat_interval)
        self._controller = controller
        self._settings = dict(settings or {})
        self.port = port
        self.engine = self._new_engine()
        self._sockets: dict[Connection, ServerConnection] = {}
        self._publish_event = _event_publisher(event_bus)
        self._jobs: dict[str, asyncio.Task[None]] = {}
        self._server: Server | None = None
        self._lifecycle = asyncio.Lock()
        self._outlet = Outlet(write=self._write, schedule=self._schedule, announce=self._announce)

    def _new_engine(self, previous: App | None = None) -> Engine:
        """A fresh engine; after a stop, figures and login lockouts carry over (as in the legacy),
        and so does a cluster's shared state (it lives in Redis)."""
        clock = Clock()
        self._backends = build_backends(self.config, clock) if previous is None else self._backends.after_stop(self.config, clock)
        app = build_app(self.config, clock, self._controller, self._backends)
        if previous is not None:
            app = replace(app, counters=previous.counters, users=previous.users)
        return Engine(app, build_handler_table(), self.logger)

    # -- public API ---------------------------------------------------------------

    async def start(self) -> None:
        """Listen on ``host:port`` (port 0 picks a free one) and start upkeep."""
        async with self._lifecycle:
            if self._server is None:
                await self._start()

    async def _start(self) -> None:
        app = self.engine.app
        app.store.directory.mkdir(parents=True, exist_ok=True)
        keepalive = self.config.keepalive
        self._server = await serve(self._serve, self.config.host, self.config.port, max_size=self.config.max_message_size,
                                   ping_interval=keepalive, ping_timeout=keepalive,
                                   logger=logging.getLogger("refactored.server.protocol"))
        self.port = app.runtime.port = _bound_port(self._server)
        app.runtime.running, app.runtime.started_at = True, app.clock.wall()
        self._jobs["upkeep"] = asyncio.create_task(self._upkeep())
        self._jobs["relay"] = asyncio.create_task(self._relay(self.engine))
        self.logger.info("WebSocket API server listening on ws://%s:%s", self.config.host, self.port)

    async def stop(self) -> None:
        """Cancel every background job, close every connection, forget all state."""
        async with self._lifecycle:
            if self._server is not None:
                await self._stop()

    async def _stop(self) -> None:
        app = self.engine.app
        app.runtime.stopping, app.runtime.running = True, False
        jobs, self._jobs = list(self._jobs.values()), {}
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        self._server.close()
        try:
            await asyncio.wait_for(self._server.wait_closed(), timeout=10)
        except asyncio.TimeoutError:
            self.logger.warning("WebSocket server did not close in time")
        self._server = None
        await app.fanout.close()
        if not self.config.strategies_dir:
            shutil.rmtree(app.store.directory, ignore_errors=True)
        self.engine = self._new_engine(previous=app)
        self.logger.info("WebSocket API server stopped")

    async def __aenter__(self) -> "WebSocketAPIServer":
        await self.start()
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> bool:
        await self.stop()
        return False

    async def broadcast_to_subscribers(self, stream: str, data: Any, exclude_client: str | None = None) -> int:
        """Push ``data`` to the subscribers of ``stream`` on every instance; return how many got it."""
        effect = await broadcast(self.engine.app, stream, data, exclude_client)
        return 0 if effect is None else await self.engine.broadcast(effect, self._outlet)

    def get_stats(self) -> dict[str, Any]:
        """Connections by state, messages, sessions and subscriptions."""
        return stats_report(self.engine.app)

    async def health_check(self) -> dict[str, Any]:
        """Overall status, for monitoring."""
        return health_report(self.engine.app)

    # -- one connection ------------------------------------------------------------

    async def _serve(self, ws: ServerConnection) -> None:
        engine = self.engine
        try:
            conn, frames = await engine.open(ws.remote_address[0], _reconnect_token(ws))
        except AtCapacity as exc:
            await ws.close(1013, str(exc))
            return
        except BackendUnavailable as exc:
            await self._send(ws, engine.refusal(exc))
            await ws.close(1013, exc.message)
            return
        self._sockets[conn] = ws
        try:
            for frame in frames:
                await self._send(ws, frame)
            async for data in ws:
                outcome = await engine.receive(conn, data)
                await self._send(ws, outcome.reply)
                for effect in outcome.effects:
                    await engine.apply(effect, self._outlet)
        except ConnectionClosed:
            pass
        except Exception as exc:
            engine.fail(conn)
            self.logger.error("Connection handler error: %s", type(exc).__name__)
        finally:
            del self._sockets[conn]
            await engine.close(conn)

    async def _send(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        """Write a reply at once; wait for the socket to drain only when its buffer is full."""
        text = encode(frame)
        if ws.protocol.state is not State.OPEN:
            raise ConnectionClosed(None, None)
        if ws.transport.get_write_buffer_size() < WRITE_LIMIT:
            _write_text([ws], text)
        else:
            await ws.send(text)
        self.engine.app.counters.wrote(frame.get("type") == "error")

    def _write(self, delivery: Delivery) -> list[Connection]:
        """Write one frame to its connections without waiting on slow readers; return the
        connections that are gone (the engine queues a critical frame again for them)."""
        ready, missed = [], []
        for conn in delivery.conns:
            ws = self._sockets.get(conn)
            if ws is not None and ws.protocol.state is State.OPEN:
                ready.append(ws)
            else:
                missed.append(conn)
        _write_text(ready, delivery.text)
        self.engine.app.counters.sent += len(ready)
        return missed

    # -- background work -----------------------------------------------------------

    def _track(self, key: str, work: Any) -> None:
        task = self._jobs[key] = asyncio.create_task(work)
        task.add_done_callback(lambda done: self._jobs.pop(key, None) if self._jobs.get(key) is done else None)

    def _schedule(self, key: str, interval: float) -> None:
        self._track(key, self._run(self.engine, key, interval))

    def _announce(self, topic: str, data: dict[str, Any]) -> None:
        try:
            result = self._publish_event(topic, data)
        except Exception as exc:
            self.logger.warning("Event bus publish failed: %s", type(exc).__name__)
            return
        if inspect.isawaitable(result):
            self._track(f"announce-{id(result)}", self._settle(result))

    async def _settle(self, result: Any) -> None:
        try:
            await result
        except Exception as exc:
            self.logger.warning("Event bus publish failed: %s", type(exc).__name__)

    async def _run(self, engine: Engine, key: str, interval: float) -> None:
        """Wait one interval, let the engine apply the next step, until the run ends."""
        try:
            while True:
                await asyncio.sleep(interval)
                if not await engine.step(key, self._outlet):
                    return
        except Exception:
            self.logger.exception("background run %s failed", key)

    async def _relay(self, engine: Engine) -> None:
        """Deliver to this instance's connections what the other instances of the cluster relay."""
        async for relayed in engine.app.fanout.incoming():
            await engine.relayed(relayed, self._outlet)

    async def _upkeep(self) -> None:
        every = max(1, round(self.config.upkeep_interval / FLUSH_INTERVAL))
        for tick in range(1, 2**62):
            try:
                await self._tick(self.engine, tick % every == 0)
            except BackendUnavailable:
                self.logger.warning("upkeep skipped: the shared store is unavailable")
            await asyncio.sleep(FLUSH_INTERVAL)

    async def _tick(self, engine: Engine, maintain: bool) -> None:
        await engine.flush(self._outlet)
        await engine.app.view.refresh(lambda shared: instance_report(engine.app, shared))
        if maintain:
            await engine.maintain()


def _write_text(sockets: list[ServerConnection], text: str) -> None:
    """Write ``text`` now to open connections, serialised once for all of them.

    Connections with a negotiated extension (compression) transform every frame, so
    they go through websockets' own ``broadcast``.
    """
    plain = [ws for ws in sockets if not ws.protocol.extensions]
    if plain:
        frame = text_frame(text)
        for ws in plain:
            ws.transport.write(frame)
    if len(plain) < len(sockets):
        write_now([ws for ws in sockets if ws.protocol.extensions], text)


def _reconnect_token(ws: ServerConnection) -> str | None:
    """The ``X-Reconnect-Token`` header; absent or repeated means none."""
    values = ws.request.headers.get_all("X-Reconnect-Token")
    return values[0] if len(values) == 1 else None


def _bound_port(server: Server) -> int:
    """The listening port, preferring IPv4 (with port 0 each address family gets its own)."""
    sockets = list(server.sockets)
    ipv4 = [sock for sock in sockets if sock.family == socket.AF_INET]
    return (ipv4 or sockets)[0].getsockname()[1]


def _ignore(topic: str, data: Any) -> None:
    return None


def _event_publisher(event_bus: Any) -> Any:
    """The event bus's ``publish`` (sync or async), or a no-op without a bus."""
    return getattr(event_bus, "publish", None) or _ignore
