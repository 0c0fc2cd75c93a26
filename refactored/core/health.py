"""Connection health as ``get_stats`` counts it (the legacy's rule).

A connection is healthy while it is connected: its handshake completed and it is not closing.
Silence does not make it unhealthy; keepalive pings close a connection that stops answering.
"""

from __future__ import annotations

from refactored.core.context import Connection
from refactored.core.state import ConnectionState


def is_healthy(conn: Connection) -> bool:
    """Whether ``conn`` counts as a healthy connection."""
    return conn.state is ConnectionState.CONNECTED
