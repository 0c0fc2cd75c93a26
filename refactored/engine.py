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

The entry points are coroutines because the shared state sits behind async ports
(:mod:`refactored.lifecycle.ports`): in memory they finish without suspending, on
Redis they await it.  While the shared store is unreachable a request gets a
``service_unavailable`` error frame, and a critical frame that could not be
recorded is held here and applied again by :meth:`Engine.flush` (see docs/SCALING.md).
"""

from __future__ import annotations

import logging
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from refactored.app import App
from refactored.core.context import Connection
from refactored.core.dispatch import Dispatcher, HandlerTable
from refactored.core.effects import Announce, Delivery, Outlet, Publish, Push, Spawn
from refactored.core.errors import (
    ApiError, AtCapacity, BackendUnavailable, DeliveryError, InvalidMessage, RateLimitExceeded, TokenRejected,
)
from refactored.core.messages import decode, encode, error_reply, finish
from refactored.core.state import ConnectionState
from refactored.lifecycle.ports import Relayed, Snapshot
from refactored.reconnect import restored_fields
from refactored.runs import Steps, steps_of
from refactored.wire import FEATURES


@dataclass(slots=True)
class Outcome:
    """What one incoming frame produced: the one reply to its sender, then effects."""

    reply: dict[str, Any]
    effects: list[Any] = field(default_factory=list)


HELD_LIMIT = 10_000  # critical effects kept while the shared store is unreachable


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
        self._route: dict[type, Callable[[Any], Awaitable[list[Delivery]]]] = {
            Push: self._push, Publish: self._publish}
        self._perform: dict[type, Callable[[Any, Outlet], Awaitable[None]]] = {
            Push: self._send_push, Publish: self._send_publish, Spawn: self._start, Announce: self._announce}
        self._relayed: dict[type, Callable[[Any], Awaitable[list[Delivery]]]] = {
            Push: self._push_here, Publish: self._publish_here}
        self._runs: dict[str, Steps] = {}
        self._held: deque[Push | Publish] = deque(maxlen=HELD_LIMIT)

    # -- connection lifecycle -------------------------------------------------

    async def open(self, remote_ip: str, reconnect_token: str | None) -> tuple[Connection, list[dict[str, Any]]]:
        """Register a connection whose handshake completed; return it and its first frames.

        Raises :class:`AtCapacity`, or :class:`BackendUnavailable` (the connection is
        then forgotten again)."""
        app = self.app
        if app.runtime.stopping or len(app.registry) >= app.config.max_connections:
            app.counters.rejected += 1
            raise AtCapacity("Maximum connections exceeded")
        app.counters.accepted += 1
        conn = Connection("client_" + secrets.token_hex(8), remote_ip)
        conn.move(ConnectionState.CONNECTED)
        app.registry.add(conn)
        try:
            return conn, await self._welcome(conn, reconnect_token)
        except BackendUnavailable:
            app.registry.remove(conn)
            raise

    async def _welcome(self, conn: Connection, reconnect_token: str | None) -> list[dict[str, Any]]:
        app = self.app
        restored = await self._restore(conn, reconnect_token) if reconnect_token else None
        welcome = {"type": "status", "status": "connected" if restored is None else "reconnected",
                   "client_id": conn.client_id, "reconnect_token": await app.reconnects.issue(conn.client_id),
                   "server_time": app.clock.iso(), "features": list(FEATURES)}
        if restored is None:
            return [finish(welcome, app.clock.iso(), None)]
        await app.reconnects.track(conn)
        queued, frames = restored
        welcome.update(restored_fields(conn, queued))
        return [finish(welcome, app.clock.iso(), None), *frames]

    async def _restore(self, conn: Connection, token: str) -> tuple[int, list[dict[str, Any]]] | None:
        """The header's reconnect: the queued frames follow the welcome at once (a bad token is ignored)."""
        delivery = self.app.delivery
        try:
            queued = await self._reconnection.restore(conn, token, self.app.clock.monotonic())
        except TokenRejected:
            return None
        return len(queued), [q.frame for q in queued if await delivery.first_time(conn.client_id, q.message_id)]

    def refusal(self, exc: ApiError) -> dict[str, Any]:
        """The error frame for a connection refused before its first message."""
        return self._reply(error_reply(exc, None), None)

    def fail(self, conn: Connection) -> None:
        """Mark a connection whose I/O broke unexpectedly (it is closed next)."""
        if conn.state is not ConnectionState.ERROR:
            conn.move(ConnectionState.ERROR)

    async def close(self, conn: Connection) -> None:
        """Forget a connection, keeping its session for a later reconnect.

        The session is saved before the connection leaves the registry, so that a frame
        relayed meanwhile finds it (a failed write is queued again for the saved session)."""
        app = self.app
        if conn.state is ConnectionState.DISCONNECTED:
            return
        if conn.state is not ConnectionState.ERROR:
            conn.move(ConnectionState.DISCONNECTING)
        if not app.runtime.stopping:
            await self._save(conn)
        app.registry.remove(conn)
        conn.move(ConnectionState.DISCONNECTED)

    async def _save(self, conn: Connection) -> None:
        snapshot = Snapshot(conn.user, dict(conn.subscriptions))
        try:
            await self.app.reconnects.save(conn.client_id, snapshot, self.app.clock.monotonic())
        except BackendUnavailable:
            self._log.warning("session of %s not saved: the shared store is unavailable", conn.client_id)

    # -- one frame --------------------------------------------------------------

    async def receive(self, conn: Connection, data: str | bytes) -> Outcome:
        """Process one frame from ``conn``: exactly one reply, then its effects."""
        app = self.app
        now = app.clock.monotonic()
        app.counters.received += 1
        message: dict[str, Any] | None = None
        try:
            message = self._admit(data)
            await self._limit(conn, now)
        except ApiError as exc:
            return Outcome(self._reply(error_reply(exc, message), message))
        return await self._dispatch(conn, message, now)

    def _admit(self, data: str | bytes) -> dict[str, Any]:
        if not isinstance(data, str):
            raise InvalidMessage("Binary frames are not supported")
        return decode(data)

    async def _limit(self, conn: Connection, now: float) -> None:
        if not await self.app.limiter.allow(conn.remote_ip, now):
            self.app.counters.rate_limited += 1
            raise RateLimitExceeded("Rate limit exceeded")

    async def _dispatch(self, conn: Connection, message: dict[str, Any], now: float) -> Outcome:
        """The error boundary: named errors become their envelope, anything else a generic one."""
        effects: list[Any] = []
        try:
            request, body = await self._dispatcher.dispatch(conn, message, now)
            effects = request.effects
            await self._track(conn)
        except ApiError as exc:
            body = error_reply(exc, message)
        except Exception:
            self._log.exception("unexpected error while handling a message from %s", conn.client_id)
            body = error_reply(ApiError("Internal server error"), message, code=f"{self._operation(message)}_failed")
        self.app.counters.processed += 1
        return Outcome(self._reply(body, message), effects)

    async def _track(self, conn: Connection) -> None:
        try:
            await self.app.reconnects.track(conn)
        except BackendUnavailable:
            self._log.warning("session of %s not tracked: the shared store is unavailable", conn.client_id)

    def _reply(self, body: dict[str, Any], message: dict[str, Any] | None) -> dict[str, Any]:
        return finish(body, self.app.clock.iso(), message)

    def _operation(self, message: dict[str, Any] | None) -> str:
        kind = message.get("type") if message is not None else None
        return kind.lower() if isinstance(kind, str) and kind.lower() in self._table else "message"

    # -- effects ----------------------------------------------------------------

    async def apply(self, effect: Any, outlet: Outlet) -> None:
        """Perform one effect through ``outlet`` (the one place effects are applied).

        A critical frame that cannot be recorded while the shared store is away is held
        and applied again by :meth:`flush`; its delivered-ids ledger keeps it exactly once."""
        try:
            await self._perform[type(effect)](effect, outlet)
        except BackendUnavailable:
            self._hold(effect)

    def _hold(self, effect: Any) -> None:
        if getattr(effect, "message_id", None) is None:
            self._log.warning("%s not relayed: the shared store is unavailable", type(effect).__name__)
            return
        if len(self._held) == self._held.maxlen:
            self._log.warning("held critical frames full: the oldest is dropped")
        self._held.append(effect)

    async def _send_push(self, effect: Push, outlet: Outlet) -> None:
        await self._write(await self._push(effect), outlet)

    async def _send_publish(self, effect: Publish, outlet: Outlet) -> None:
        await self._write(await self._publish(effect), outlet)
        await self.app.fanout.relay(effect)

    async def broadcast(self, effect: Publish, outlet: Outlet) -> int:
        """Publish ``effect`` on every instance; how many connections got it (cluster-wide).
        While the shared store is away a critical frame is held and counts as not written yet."""
        here = 0
        try:
            here = await self._write(await self._publish(effect), outlet)
            return here + await self.app.fanout.broadcast(effect)
        except BackendUnavailable:
            self._hold(effect)
            return here

    async def relayed(self, relayed: Relayed, outlet: Outlet) -> None:
        """Deliver what another instance relayed to this instance's own connections (a critical
        frame is held if the shared store is away meanwhile)."""
        try:
            written = await self._write(await self._relayed[type(relayed.effect)](relayed.effect), outlet)
            await self.app.fanout.acknowledge(relayed, written)
        except BackendUnavailable:
            self._hold(relayed.effect)

    async def _write(self, deliveries: list[Delivery], outlet: Outlet) -> int:
        written = 0
        for delivery in deliveries:
            missed = outlet.write(delivery)
            written += len(delivery.conns) - len(missed)
            for conn in missed:
                await self.retry(conn, delivery)
        return written

    async def _start(self, effect: Spawn, outlet: Outlet) -> None:
        self._runs[effect.key] = steps_of(self.app.controller, self.app.clock, effect.run)
        outlet.schedule(effect.key, effect.interval)

    async def _announce(self, effect: Announce, outlet: Outlet) -> None:
        outlet.announce(effect.topic, effect.data)

    async def step(self, key: str, outlet: Outlet) -> bool:
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
            await self.apply(effect, outlet)
        return True

    # -- pushes -----------------------------------------------------------------

    async def deliveries(self, effect: Push | Publish) -> list[Delivery]:
        """The encoded frames a ``Push`` or ``Publish`` sends here (each frame encoded once)."""
        return await self._route[type(effect)](effect)

    async def _push(self, effect: Push) -> list[Delivery]:
        if self.app.registry.get(effect.client_id) is not None:
            return await self._push_here(effect)
        if effect.message_id is not None and await self._queue(effect.client_id, effect.message_id, effect.frame):
            return []
        await self.app.fanout.relay(effect)
        return []

    async def _push_here(self, effect: Push) -> list[Delivery]:
        client_id, message_id = effect.client_id, effect.message_id
        conn = self.app.registry.get(client_id)
        if conn is None:
            return []
        if message_id is not None and not await self.app.delivery.first_time(client_id, message_id):
            return []
        return [Delivery([conn], encode(effect.frame), message_id, effect.frame)]

    async def _publish(self, effect: Publish) -> list[Delivery]:
        if effect.message_id is not None:
            await self._queue_for_absent(effect, effect.frame["data"].get("symbol"), effect.message_id)
        return await self._publish_here(effect)

    async def _publish_here(self, effect: Publish) -> list[Delivery]:
        frame, stream, message_id = effect.frame, effect.stream, effect.message_id
        symbol = frame["data"].get("symbol")
        receivers = [c for c in self.app.registry.subscribers(stream)
                     if c.client_id != effect.exclude and _wants(c.subscriptions[stream], symbol)]
        if message_id is not None:
            receivers = [c for c in receivers if await self.app.delivery.first_time(c.client_id, message_id)]
        return [Delivery(receivers, encode(frame), message_id, frame)] if receivers else []

    async def _queue_for_absent(self, effect: Publish, symbol: Any, message_id: Any) -> None:
        for client_id, snapshot in await self.app.reconnects.saved(self.app.clock.monotonic()):
            symbols = snapshot.subscriptions.get(effect.stream)
            if client_id != effect.exclude and symbols is not None and _wants(symbols, symbol):
                await self._queue(client_id, message_id, effect.frame)

    # -- resilient delivery -----------------------------------------------------

    async def _queue(self, client_id: str, message_id: Any, frame: dict[str, Any]) -> bool:
        """Queue a critical frame for a departed client; False if no session of it is saved."""
        app = self.app
        if not await app.reconnects.is_saved(client_id, app.clock.monotonic()):
            return False
        await self._keep(app.delivery.put, client_id, message_id, frame)
        return True

    async def retry(self, conn: Connection, delivery: Delivery) -> None:
        """Queue again a critical frame whose write to ``conn`` failed; the flusher resends it."""
        if delivery.message_id is not None and delivery.frame is not None:
            await self._keep(self.app.delivery.requeue, conn.client_id, delivery.message_id, delivery.frame)

    async def _keep(self, put: Callable[..., Awaitable[None]], client_id: str, message_id: Any,
                    frame: dict[str, Any]) -> None:
        try:
            await put(client_id, message_id, frame, self.app.clock.monotonic())
        except DeliveryError as exc:
            self._log.debug("critical message for %s: %r", client_id, exc)
        except BackendUnavailable:
            self._hold(Push(client_id, frame, message_id))

    async def flush(self, outlet: Outlet) -> None:
        """Write the queued critical frames of connected clients (the retry path), and apply
        again the critical effects held while the shared store was away."""
        app = self.app
        now = app.clock.monotonic()
        await app.reconnects.recover()
        for effect in [self._held.popleft() for _ in range(len(self._held))]:
            await self.apply(effect, outlet)
        for client_id in await app.delivery.clients():
            conn = app.registry.get(client_id)
            if conn is not None:
                queued = await app.delivery.drain(client_id, now)
                await self._write([Delivery([conn], encode(q.frame), q.message_id, q.frame) for q in queued], outlet)

    def held(self) -> int:
        """Critical effects waiting for the shared store to come back."""
        return len(self._held)

    async def maintain(self) -> None:
        """Periodic upkeep: drop expired sessions, the delivery state of clients the session
        store no longer knows (expired or evicted), expired locks and idle rate windows."""
        app = self.app
        await app.reconnects.purge(app.clock.monotonic())
        await app.delivery.retain(app.reconnects)
        await app.users.unlock_expired()
        await app.limiter.forget_idle(app.clock.monotonic())
