"""The connection state machine, as data.

Rules:

* A connection is created ``CONNECTING`` while its handshake runs and becomes
  ``CONNECTED`` once the handshake completed; only then is it registered.
* A connected client leaves through ``DISCONNECTING`` (close in progress) to
  ``DISCONNECTED`` (its session is kept for reconnection).
* ``RECONNECTING`` is the short step while a reconnect token is being honoured:
  it ends ``CONNECTED`` (restored) or ``ERROR``.
* ``ERROR`` is a real state: any live state may fall into it, and it only
  leads to ``DISCONNECTED``.
* ``DISCONNECTED`` is final for one connection object.

A pair missing from :data:`TRANSITIONS` raises :class:`InvalidTransition`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Mapping

from refactored.core.errors import InvalidTransition


class ConnectionState(Enum):
    """Where one connection is in its life."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTING = "disconnecting"
    DISCONNECTED = "disconnected"
    ERROR = "error"
    RECONNECTING = "reconnecting"


S = ConnectionState

TRANSITIONS: dict[ConnectionState, frozenset[ConnectionState]] = {
    S.CONNECTING: frozenset({S.CONNECTED, S.ERROR, S.DISCONNECTED}),
    S.CONNECTED: frozenset({S.DISCONNECTING, S.RECONNECTING, S.ERROR}),
    S.RECONNECTING: frozenset({S.CONNECTED, S.ERROR, S.DISCONNECTING}),
    S.DISCONNECTING: frozenset({S.DISCONNECTED, S.ERROR}),
    S.ERROR: frozenset({S.DISCONNECTED}),
    S.DISCONNECTED: frozenset(),
}

LIVE_STATES = frozenset({S.CONNECTED, S.RECONNECTING})


def check_transition(source: Enum, target: Enum, table: Mapping[Any, frozenset[Any]] = TRANSITIONS) -> Any:
    """Return ``target`` if ``table`` (the connection states' by default) allows ``source -> target``, else raise."""
    if target not in table[source]:
        raise InvalidTransition(source, target)
    return target
