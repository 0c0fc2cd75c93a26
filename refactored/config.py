"""Server configuration: the constructor's arguments and the ``settings`` dict, typed."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from refactored.core.errors import ConfigurationError
from refactored.services.users import DEV_PASSWORDS


def _optional_text(value: Any) -> str | None:
    return str(value) if value else None


# The keys the ``settings`` dict may carry, each with its conversion (others are ignored).
SETTINGS: dict[str, Callable[[Any], Any]] = {
    "max_message_size": int, "rate_limit": int, "rate_window": float, "session_ttl": float,
    "lockout_threshold": int, "lockout_seconds": float, "access_token_ttl": int, "refresh_token_ttl": int,
    "bar_interval": float, "queue_limit": int, "environment": str, "strategies_dir": _optional_text,
    "passwords": lambda value: dict(value or {}),
    "redis_url": _optional_text, "redis_namespace": str,
}
REDIS_URL_ENV = "WSGM_REDIS_URL"  # read when the settings have no ``redis_url``


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Every knob the server reads, with the documented defaults, grouped by what it governs."""

    # where it listens, and for whom
    host: str = "localhost"
    port: int = 8080
    environment: str = "development"
    max_connections: int = 1000
    heartbeat_interval: float | None = 30
    # what one client may send
    max_message_size: int = 1_048_576
    rate_limit: int = 100
    rate_window: float = 60
    # logins and tokens
    passwords: Mapping[str, str] = field(default_factory=lambda: dict(DEV_PASSWORDS))
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    lockout_threshold: int = 5
    lockout_seconds: float = 300
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 86400
    # strategies and background runs
    strategies_dir: str | None = None
    bar_interval: float = 0.01
    # what a departed client gets back
    session_ttl: float = 3600
    queue_limit: int = 1000
    # the shared state: in memory (one instance), or on Redis (a cluster of instances)
    redis_url: str | None = None
    redis_namespace: str = "wsgm"
    jwt_secret_given: bool = field(default=False, repr=False)  # False: the cluster may share its own

    @property
    def keepalive(self) -> float | None:
        """Seconds between protocol pings, or None when ``heartbeat_interval`` turns them off."""
        return self.heartbeat_interval if self.heartbeat_interval and self.heartbeat_interval > 0 else None

    @property
    def upkeep_interval(self) -> float:
        """Seconds between purges of expired sessions and locks."""
        return min(self.keepalive or 30, 60)

    @classmethod
    def build(cls, settings: Mapping[str, Any] | None, *, jwt_secret: str | None, **arguments: Any) -> "Config":
        """Merge constructor ``arguments`` with ``settings``.

        Without ``jwt_secret`` a development server signs with a random per-process
        secret (a cluster's instances share one through Redis); any other environment
        refuses to start.  Without a ``redis_url`` setting, ``WSGM_REDIS_URL`` is read.
        """
        settings = settings or {}
        values = {key: SETTINGS[key](value) for key, value in settings.items() if key in SETTINGS}
        if "redis_url" not in settings:
            values["redis_url"] = os.environ.get(REDIS_URL_ENV) or None
        values.update(arguments)
        if jwt_secret is not None:
            values["jwt_secret"], values["jwt_secret_given"] = jwt_secret, True
        config = cls(**values)
        if jwt_secret is None and config.environment != "development":
            raise ConfigurationError(f"jwt_secret is required when environment is {config.environment!r}")
        return config
