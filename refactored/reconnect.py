"""Reconnection: a client presents the token of an earlier connection and gets its session back.

Both ways in go through :func:`restore`: the ``X-Reconnect-Token`` header when a
connection opens (:meth:`Engine.open <refactored.engine.Engine.open>`) and the
``reconnect`` message (``handlers/auth.py``).  Each caller then hands out the frames
queued while the client was away and answers with :func:`restored_fields`.
"""

from __future__ import annotations

from typing import Any

from refactored.app import App
from refactored.core.context import Connection
from refactored.lifecycle.delivery import Queued


def restore(app: App, conn: Connection, token: Any, now: float) -> list[Queued]:
    """Give ``conn`` the identity, login and subscriptions saved under ``token``; return the
    critical frames queued for it meanwhile.  Raises :class:`TokenRejected`."""
    client_id, snapshot = app.sessions.redeem(token, now)
    app.sessions.discard(conn.client_id)
    app.registry.adopt(conn, client_id, snapshot.user, snapshot.subscriptions)
    app.counters.reconnections += 1
    return app.delivery.take(client_id, now)


def restored_fields(conn: Connection, queued: int) -> dict[str, Any]:
    """The fields that tell a restored client what it got back."""
    return {"authenticated": conn.user is not None, "username": conn.user.username if conn.user else None,
            "subscriptions": subscriptions_of(conn), "queued_messages": queued}


def subscriptions_of(conn: Connection) -> dict[str, list[str]]:
    """A connection's subscriptions as the wire shows them."""
    return {stream: list(symbols) for stream, symbols in conn.subscriptions.items()}
