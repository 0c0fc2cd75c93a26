"""The legacy server's public attributes, as read-only views of where their state lives now.

The legacy class kept its configuration, counters and connections in public attributes.
Consumers that read them keep working: :class:`LegacyAttributes`, a base of the server, offers
each as a read-only property that forwards to the typed configuration or the application's
records, with the legacy's types, and the legacy's ``cleanup_expired_client_sessions()``.
docs/WAIVERS.md lists the legacy attributes that are not offered, and why.
"""

from __future__ import annotations

from typing import Any, Callable

from refactored.app import App
from refactored.config import Config

class ConfigField:
    """A read-only server attribute that reads the ``config`` field of the same name.

    ``convert`` gives the value the legacy's type (it cast some settings to float).
    """

    def __init__(self, convert: Callable[[Any], Any] = lambda value: value) -> None:
        self._convert = convert
        self.__doc__ = "A setting of the server, read-only (from its Config)."

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, server: Any, owner: type | None = None) -> Any:
        return self if server is None else self._convert(getattr(server.config, self._name))

    def __set__(self, server: Any, value: Any) -> None:
        raise AttributeError(f"{self._name} is read-only: pass it to the constructor")


def stats_counters(app: App) -> dict[str, int]:
    """The legacy ``stats`` dict: server-wide message and connection counters."""
    counters = app.counters
    return {
        "messages_received": counters.received,
        "messages_sent": counters.sent,
        "messages_processed": counters.processed,
        "errors_sent": counters.errors,
        "rate_limited": counters.rate_limited,
        "connections_accepted": counters.accepted,
        "connections_rejected": counters.rejected,
        "reconnections": counters.reconnections,
    }


def connection_table(app: App, sockets: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    """The legacy ``connections`` dict: client id -> what the server knows of that client.

    Only the keys that describe the client are kept; the legacy's bookkeeping
    (``connected_at``, ``messages_received``, ``last_heartbeat``, ``post_reply``) is not.
    """
    return {
        conn.client_id: {
            "client_id": conn.client_id,
            "state": conn.state.value,
            "websocket": sockets.get(conn),
            "remote_ip": conn.remote_ip,
            "authenticated": conn.user is not None,
            "username": conn.user.username if conn.user else None,
            "permissions": list(conn.user.permissions) if conn.user else [],
            "subscriptions": {stream: list(symbols) for stream, symbols in conn.subscriptions.items()},
        }
        for conn in app.registry
    }


def strategies_directory(app: App) -> str | None:
    """The configured strategies directory, or the server's own one while it runs."""
    if app.config.strategies_dir:
        return app.config.strategies_dir
    return str(app.store.directory) if app.runtime.running else None


def expire_sessions(app: App) -> int:
    """Drop saved sessions whose TTL has run out, with what was queued for them; how many."""
    return app.view.expire(app.clock.monotonic())


class LegacyAttributes:
    """The legacy's public attributes and upkeep method, for the server class.

    The server provides ``config`` (its Config), ``engine`` (whose ``app`` holds the records),
    ``_settings`` (the settings it was given), ``_server`` and ``_sockets``.
    """

    config: Config
    engine: Any
    _settings: dict[str, Any]
    _server: Any
    _sockets: dict[Any, Any]

    host = ConfigField()
    jwt_secret = ConfigField(str)
    max_connections = ConfigField()
    heartbeat_interval = ConfigField()
    max_message_size = ConfigField(int)
    rate_limit = ConfigField(int)
    rate_window = ConfigField(float)
    session_ttl = ConfigField(float)
    lockout_threshold = ConfigField(int)
    lockout_seconds = ConfigField(float)
    access_token_ttl = ConfigField(int)
    refresh_token_ttl = ConfigField(int)
    bar_interval = ConfigField(float)
    queue_limit = ConfigField(int)
    environment = ConfigField()

    def cleanup_expired_client_sessions(self) -> int:
        """Drop saved sessions whose TTL has run out (upkeep does it too); return how many."""
        return expire_sessions(self.engine.app)

    @property
    def settings(self) -> dict[str, Any]:
        """A copy of the ``settings`` the server was built with."""
        return dict(self._settings)

    @property
    def controller(self) -> Any:
        """The trading controller (the one passed in, or the simulated one)."""
        return self.engine.app.controller

    @property
    def server(self) -> Any:
        """The listening websockets server while running, else None."""
        return self._server

    @property
    def strategies_dir(self) -> str | None:
        """The configured strategies directory, or the server's own one while it runs."""
        return strategies_directory(self.engine.app)

    @property
    def stats(self) -> dict[str, int]:
        """Message and connection counters under the legacy's names (a snapshot)."""
        return stats_counters(self.engine.app)

    @property
    def connections(self) -> dict[str, dict[str, Any]]:
        """Client id -> state, address, user and subscriptions of each connection (a snapshot)."""
        return connection_table(self.engine.app, self._sockets)
