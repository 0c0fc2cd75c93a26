"""Reconnection: a client presents the token of an earlier connection and gets its session back.

Both ways in go through :meth:`Reconnection.restore`: the ``X-Reconnect-Token`` header
when a connection opens (:meth:`Engine.open <refactored.engine.Engine.open>`) and the
``reconnect`` message (``handlers/auth.py``).  Each caller then hands out the frames
queued while the client was away and answers with :func:`restored_fields`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from refactored.core.context import Connection
from refactored.lifecycle.ports import DeliveryPort, Queued, SessionPort
from refactored.lifecycle.registry import ConnectionRegistry

if TYPE_CHECKING:
    from refactored.app import Counters


@dataclass(frozen=True, slots=True)
class Reconnection:
    """What a reconnect touches: saved sessions, live connections, queued frames, the count."""

    store: SessionPort
    registry: ConnectionRegistry
    delivery: DeliveryPort
    counters: Counters

    async def restore(self, conn: Connection, token: Any, now: float) -> list[Queued]:
        """Give ``conn`` the identity, login and subscriptions saved under ``token`` (by any
        instance of the cluster); return the critical frames queued for it meanwhile.
        Raises :class:`TokenRejected`."""
        client_id, snapshot = await self.store.redeem(token, now)
        await self.store.discard(conn.client_id)
        self.registry.adopt(conn, client_id, snapshot.user, snapshot.subscriptions)
        self.counters.reconnections += 1
        return await self.delivery.take(client_id, now)


def restored_fields(conn: Connection, queued: int) -> dict[str, Any]:
    """The fields that tell a restored client what it got back."""
    return {"authenticated": conn.user is not None, "username": conn.user.username if conn.user else None,
            "subscriptions": subscriptions_of(conn), "queued_messages": queued}


def subscriptions_of(conn: Connection) -> dict[str, list[str]]:
    """A connection's subscriptions as the wire shows them."""
    return {stream: list(symbols) for stream, symbols in conn.subscriptions.items()}
