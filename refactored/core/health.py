"""Connection health: connected, recently pinged, recently heard from."""

from __future__ import annotations

from dataclasses import dataclass

from refactored.core.context import Connection
from refactored.core.state import ConnectionState


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    """Windows (seconds) after which silence makes a connection unhealthy."""

    ping_window: float = 60.0
    message_window: float = 120.0

    def is_healthy(self, conn: Connection, now: float) -> bool:
        """Connected, pinged within ``ping_window`` and heard within ``message_window``."""
        return (
            conn.state is ConnectionState.CONNECTED
            and now - conn.last_ping <= self.ping_window
            and now - conn.last_message <= self.message_window
        )
