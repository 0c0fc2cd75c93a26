"""Connection registry: live connections only, each added after its handshake.

It also indexes subscriptions so a broadcast finds its receivers without
scanning every connection.
"""

from __future__ import annotations

from typing import Any, Iterator

from refactored.core.context import Connection
from refactored.core.errors import InvalidTransition
from refactored.core.state import ConnectionState


class ConnectionRegistry:
    """Registered connections by client id, and subscribers by stream."""

    def __init__(self) -> None:
        self._connections: dict[str, Connection] = {}
        self._streams: dict[str, dict[str, Connection]] = {}

    def __len__(self) -> int:
        return len(self._connections)

    def __iter__(self) -> Iterator[Connection]:
        return iter(list(self._connections.values()))

    def get(self, client_id: str) -> Connection | None:
        """The registered connection for ``client_id``, if any."""
        return self._connections.get(client_id)

    def add(self, conn: Connection) -> None:
        """Register a connection whose handshake completed."""
        if conn.state is not ConnectionState.CONNECTED:
            raise InvalidTransition(conn.state, ConnectionState.CONNECTED)
        self._connections[conn.client_id] = conn
        for stream in conn.subscriptions:
            self._streams.setdefault(stream, {})[conn.client_id] = conn

    def remove(self, conn: Connection) -> None:
        """Forget ``conn`` and its subscriptions (no-op if not registered)."""
        if self._connections.get(conn.client_id) is not conn:
            return
        del self._connections[conn.client_id]
        for stream in conn.subscriptions:
            self._streams.get(stream, {}).pop(conn.client_id, None)

    def adopt(self, conn: Connection, client_id: str, user: Any, subscriptions: dict[str, tuple[str, ...]]) -> None:
        """Give ``conn`` the identity, user and subscriptions of an earlier connection."""
        conn.move(ConnectionState.RECONNECTING)
        self.remove(conn)
        conn.client_id, conn.user, conn.subscriptions = client_id, user, dict(subscriptions)
        self._connections[client_id] = conn
        for stream in conn.subscriptions:
            self._streams.setdefault(stream, {})[client_id] = conn
        conn.move(ConnectionState.CONNECTED)

    def subscribe(self, conn: Connection, stream: str, symbols: tuple[str, ...]) -> None:
        """Record ``conn``'s subscription to ``stream``."""
        conn.subscriptions[stream] = symbols
        if self._connections.get(conn.client_id) is conn:
            self._streams.setdefault(stream, {})[conn.client_id] = conn

    def unsubscribe(self, conn: Connection, stream: str) -> None:
        """Drop ``conn``'s subscription to ``stream``."""
        conn.subscriptions.pop(stream, None)
        self._streams.get(stream, {}).pop(conn.client_id, None)

    def subscribers(self, stream: str) -> list[Connection]:
        """Connections subscribed to ``stream``, in subscription order."""
        return list(self._streams.get(stream, {}).values())

    def by_state(self) -> dict[str, int]:
        """Registered connections counted per state (every state listed)."""
        counts = {state.value: 0 for state in ConnectionState}
        for conn in self._connections.values():
            counts[conn.state.value] += 1
        return counts
