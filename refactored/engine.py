"""The sans-I/O server: connection state plus one frame in, frames and effects out.

Nothing here reads a socket or sleeps.  :class:`Engine` owns the order in
which a frame is processed::

    binary? -> decode JSON -> object? -> rate limit (per client IP)
            -> dispatch (lookup, authorise, validate, handle) -> reply

and the single boundary where exceptions become error frames: a named
:class:`ApiError` becomes its envelope; anything else becomes a generic
``<type>_failed`` whose traceback goes to the log only.

It is also the one place effects are applied (:meth:`Engine.apply`): the I/O
loop around it (the asyncio server, or the in-memory driver for tests) only
provides an :class:`Outlet` that writes, waits and publishes.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable

from refactored.app import App
from refactored.core.context import Connection
from refactored.core.dispatch import Dispatcher, HandlerTable
from refactored.core.effects import Announce, Delivery, Outlet, Publish, Push, Spawn
from refactored.core.errors import (
    ApiError, AtCapacity, DeliveryError, InvalidMessage, RateLimitExceeded, TokenRejected,
)
from refactored.core.messages import decode, encode, error_reply, finish
from refactored.core.state import ConnectionState
from refactored.lifecycle.session_store import Snapshot
from refactored.reconnect import restored_fields
from refactored.runs import Steps, steps_of
from refactored.wire import FEATURES


@dataclass(slots=True)
class Outcome:
    """What one incoming frame produced: the one reply to its sender, then effects."""

    reply: dict[str, Any]
    effects: list[Any] = field(default_factory=list)


def _wants(symbols: tuple[str, ...], symbol: Any) -> bool:
    return not symbols or symbol is None or symbol in symbols


class Engine:
    """Turns frames into replies and effects for every connection of one server."""

    def __init__(self, app: App, table: HandlerTable, logger: logging.Logger) -> None:
        self.app = app
        self._dispatcher = Dispatcher(table, app)
        self._table = table
        self._reconnection = app.reconnection
        self._log = logger
        self._route: dict[type, Callable[[Any], list[Delivery]]] = {Push: self._push, Publish: self._publish}
        self._perform: dict[type, Callable[[Any, Outlet], None]] = {
            Push: self._deliver, Publish: self._deliver, Spawn: self._start, Announce: self._announce}
        self._runs: dict[str, Steps] = {}

    # -- connection lifecycle -------------------------------------------------

    def open(self, remote_ip: str, reconnect_token: str | None) -> tuple[Connection, list[dict[str, Any]]]:
        """Register a connection whose handshake completed; return it and its first frames."""
        app = self.app
        if app.runtime.stopping or len(app.registry) >= app.config.max_connections:
            app.counters.rejected += 1
            raise AtCapacity("Maximum connections exceeded")
        app.counters.accepted += 1
        conn = Connection("client_" + secrets.token_hex(8), remote_ip)
        conn.move(ConnectionState.CONNECTED)
        app.registry.add(conn)
        restored = self._restore(conn, reconnect_token) if reconnect_token else None
        welcome = {"type": "status", "status": "connected" if restored is None else "reconnected",
                   "client_id": conn.client_id, "reconnect_token": app.reconnects.issue(conn.client_id),
                   "server_time": app.clock.iso(), "features": list(FEATURES)}
        if restored is None:
            return conn, [finish(welcome, app.clock.iso(), None)]
        queued, frames = restored
        welcome.update(restored_fields(conn, queued))
        return conn, [finish(welcome, app.clock.iso(), None), *frames]

    def _restore(self, conn: Connection, token: str) -> tuple[int, list[dict[str, Any]]] | None:
        """The header's reconnect: the queued frames follow the welcome at once (a bad token is ignored)."""
        delivery = self.app.delivery
        try:
            queued = self._reconnection.restore(conn, token, self.app.clock.monotonic())
        except TokenRejected:
            return None
        return len(queued), [q.frame for q in queued if delivery.first_time(conn.client_id, q.message_id)]

    def fail(self, conn: Connection) -> None:
        """Mark a connection whose I/O broke unexpectedly (it is closed next)."""
        if conn.state is not ConnectionState.ERROR:
            conn.move(ConnectionState.ERROR)

    def close(self, conn: Connection) -> None:
        """Forget a connection, keeping its session for a later reconnect."""
        app = self.app
        if conn.state is ConnectionState.DISCONNECTED:
            return
        if conn.state is not ConnectionState.ERROR:
            conn.move(ConnectionState.DISCONNECTING)
        app.registry.remove(conn)
        if not app.runtime.stopping:
            app.reconnects.save(conn.client_id, Snapshot(conn.user, dict(conn.subscriptions)), app.clock.monotonic())
        conn.move(ConnectionState.DISCONNECTED)

    # -- one frame --------------------------------------------------------------

    def receive(self, conn: Connection, data: str | bytes) -> Outcome:
        """Process one frame from ``conn``: exactly one reply, then its effects."""
        app = self.app
        now = app.clock.monotonic()
        app.counters.received += 1
        message: dict[str, Any] | None = None
        try:
            message = self._admit(data)
            self._limit(conn, now)
        except ApiError as exc:
            return Outcome(self._reply(error_reply(exc, message), message))
        return self._dispatch(conn, message, now)

    def _admit(self, data: str | bytes) -> dict[str, Any]:
        if not isinstance(data, str):
            raise InvalidMessage("Binary frames are not supported")
        return decode(data)

    def _limit(self, conn: Connection, now: float) -> None:
        if not self.app.limiter.allow(conn.remote_ip, now):
            self.app.counters.rate_limited += 1
            raise RateLimitExceeded("Rate limit exceeded")

    def _dispatch(self, conn: Connection, message: dict[str, Any], now: float) -> Outcome:
        """The error boundary: named errors become their envelope, anything else a generic one."""
        effects: list[Any] = []
        try:
            request, body = self._dispatcher.dispatch(conn, message, now)
            effects = request.effects
        except ApiError as exc:
            body = error_reply(exc, message)
        except Exception:
            self._log.exception("unexpected error while handling a message from %s", conn.client_id)
            body = error_reply(ApiError("Internal server error"), message, code=f"{self._operation(message)}_failed")
        self.app.counters.processed += 1
        return Outcome(self._reply(body, message), effects)

    def _reply(self, body: dict[str, Any], message: dict[str, Any] | None) -> dict[str, Any]:
        return finish(body, self.app.clock.iso(), message)

    def _operation(self, message: dict[str, Any] | None) -> str:
        kind = message.get("type") if message is not None else None
        return kind.lower() if isinstance(kind, str) and kind.lower() in self._table else "message"

    # -- effects ----------------------------------------------------------------

    def apply(self, effect: Any, outlet: Outlet) -> None:
        """Perform one effect through ``outlet`` (the one place effects are applied)."""
        self._perform[type(effect)](effect, outlet)

    def _deliver(self, effect: Push | Publish, outlet: Outlet) -> None:
        for delivery in self.deliveries(effect):
            outlet.write(delivery)

    def _start(self, effect: Spawn, outlet: Outlet) -> None:
        self._runs[effect.key] = steps_of(self.app.controller, self.app.clock, effect.run)
        outlet.schedule(effect.key, effect.interval)

    def _announce(self, effect: Announce, outlet: Outlet) -> None:
        outlet.announce(effect.topic, effect.data)

    def step(self, key: str, outlet: Outlet) -> bool:
        """Apply the next step of background run ``key``; False once the run has ended."""
        try:
            effects = next(self._runs[key], None) if key in self._runs else None
        except Exception:
            del self._runs[key]
            raise
        if effects is None:
            self._runs.pop(key, None)
            return False
        for effect in effects:
            self.apply(effect, outlet)
        return True

    # -- pushes -----------------------------------------------------------------

    def deliveries(self, effect: Push | Publish) -> list[Delivery]:
        """The encoded frames a ``Push`` or ``Publish`` sends (each frame encoded once)."""
        return self._route[type(effect)](effect)

    def _push(self, effect: Push) -> list[Delivery]:
        client_id, message_id = effect.client_id, effect.message_id
        conn = self.app.registry.get(client_id)
        if conn is None:
            if message_id is not None:
                self._queue(client_id, message_id, effect.frame)
            return []
        if message_id is not None and not self.app.delivery.first_time(client_id, message_id):
            return []
        return [Delivery([conn], encode(effect.frame), message_id, effect.frame)]

    def _publish(self, effect: Publish) -> list[Delivery]:
        frame, stream, message_id = effect.frame, effect.stream, effect.message_id
        symbol = frame["data"].get("symbol")
        receivers = [c for c in self.app.registry.subscribers(stream)
                     if c.client_id != effect.exclude and _wants(c.subscriptions[stream], symbol)]
        if message_id is not None:
            self._queue_for_absent(effect, symbol, message_id)
            receivers = [c for c in receivers if self.app.delivery.first_time(c.client_id, message_id)]
        return [Delivery(receivers, encode(frame), message_id, frame)] if receivers else []

    def _queue_for_absent(self, effect: Publish, symbol: Any, message_id: str) -> None:
        for client_id, snapshot in self.app.reconnects.saved(self.app.clock.monotonic()):
            symbols = snapshot.subscriptions.get(effect.stream)
            if client_id != effect.exclude and symbols is not None and _wants(symbols, symbol):
                self._queue(client_id, message_id, effect.frame)

    # -- resilient delivery -----------------------------------------------------

    def _queue(self, client_id: str, message_id: str, frame: dict[str, Any]) -> None:
        app = self.app
        now = app.clock.monotonic()
        if app.reconnects.is_saved(client_id, now):
            self._keep(app.delivery.put, client_id, message_id, frame)

    def retry(self, conn: Connection, delivery: Delivery) -> None:
        """Queue again a critical frame whose write to ``conn`` failed; the flusher resends it."""
        if delivery.message_id is not None and delivery.frame is not None:
            self._keep(self.app.delivery.requeue, conn.client_id, delivery.message_id, delivery.frame)

    def _keep(self, put: Callable[..., None], client_id: str, message_id: str, frame: dict[str, Any]) -> None:
        try:
            put(client_id, message_id, frame, self.app.clock.monotonic())
        except DeliveryError as exc:
            self._log.debug("critical message for %s: %r", client_id, exc)

    def flush(self) -> list[Delivery]:
        """Queued critical frames whose client is connected again (the retry path)."""
        app = self.app
        now = app.clock.monotonic()
        out: list[Delivery] = []
        for client_id in app.delivery.clients():
            conn = app.registry.get(client_id)
            if conn is not None:
                out.extend(Delivery([conn], encode(q.frame), q.message_id, q.frame) for q in app.delivery.drain(client_id, now))
        return out

    def maintain(self) -> None:
        """Periodic upkeep: drop expired sessions, the delivery state of clients the session
        store no longer knows (expired or evicted), and expired locks."""
        app = self.app
        app.reconnects.purge(app.clock.monotonic())
        for client_id in app.delivery.known():
            if client_id not in app.reconnects:
                app.delivery.forget(client_id)
        app.users.unlock_expired()
        app.limiter.forget_idle(app.clock.monotonic())
