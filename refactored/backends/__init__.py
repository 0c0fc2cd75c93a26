"""The shared state's backends, chosen once from the configuration.

Without ``redis_url`` every port is in memory (one instance, the default); with it
every port is on Redis, namespaced by ``redis_namespace``, so that the instances
that share both form one cluster (docs/SCALING.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from refactored.config import Config
from refactored.core.clock import Clock
from refactored.lifecycle.delivery import DeliveryQueue
from refactored.lifecycle.fanout import LocalFanOut
from refactored.lifecycle.ports import DeliveryPort, FanOut, RateLimitPort, SessionPort, SyncView
from refactored.lifecycle.ratelimit import RateLimiter
from refactored.lifecycle.session_store import SessionStore
from refactored.lifecycle.view import ImmediateView
from refactored.services.guards import Lockout, LockoutPort, RevocationPort, SpentTokens


@dataclass(frozen=True, slots=True)
class Backends:
    """One implementation of every port, and the JWT secret the instances share."""

    sessions: SessionPort
    delivery: DeliveryPort
    limiter: RateLimitPort
    lockout: LockoutPort
    revoked: RevocationPort
    fanout: FanOut
    view: SyncView
    jwt_secret: str
    shared: bool  # True: the state outlives this server (a cluster's, on Redis)

    def after_stop(self, config: Config, clock: Clock) -> "Backends":
        """The backends of the same server once stopped: a server alone starts afresh (as the
        legacy does), a cluster's shared state stays where it is."""
        return self if self.shared else memory_backends(config, clock)


def memory_backends(config: Config, clock: Clock) -> Backends:
    """Every port in this process (a server alone)."""
    sessions = SessionStore(ttl=config.session_ttl, max_sessions=max(10 * config.max_connections, 10_000))
    delivery = DeliveryQueue(limit=config.queue_limit, ttl=config.session_ttl)
    return Backends(
        sessions=sessions, delivery=delivery,
        limiter=RateLimiter(limit=config.rate_limit, window=config.rate_window),
        lockout=Lockout(threshold=config.lockout_threshold, seconds=config.lockout_seconds, wall=clock.wall),
        revoked=SpentTokens(), fanout=LocalFanOut(), view=ImmediateView(sessions, delivery),
        jwt_secret=config.jwt_secret, shared=False,
    )


def build_backends(config: Config, clock: Clock) -> Backends:
    """Redis backends when ``config.redis_url`` is set, else the in-memory ones."""
    if not config.redis_url:
        return memory_backends(config, clock)
    from refactored.backends.redis import redis_backends  # Redis's client is loaded only when used
    return redis_backends(config)
