"""The Redis backends: every port of the shared state on one Redis, under one namespace.

Instances built with the same ``redis_url`` and ``redis_namespace`` form one cluster:
they share reconnect sessions, queued critical frames and the delivered-ids ledger,
rate-limit and lockout counters, spent refresh tokens, the fan-out channel, and the
secrets (the JWT secret unless one is given, the reconnect tokens' HMAC key).
"""

from __future__ import annotations

from refactored.backends import Backends
from refactored.backends.redis.delivery import RedisDeliveryQueue
from refactored.backends.redis.fanout import RedisFanOut
from refactored.backends.redis.limits import RedisLockout, RedisRateLimiter, RedisSpentTokens
from refactored.backends.redis.link import RedisLink
from refactored.backends.redis.sessions import RedisSessionStore
from refactored.backends.redis.view import ClusterView
from refactored.config import Config


def redis_backends(config: Config) -> Backends:
    """Every port on the Redis of ``config.redis_url``, namespaced by ``config.redis_namespace``."""
    link = RedisLink(config.redis_url, config.redis_namespace)
    shared = link.shared_secrets()
    return Backends(
        sessions=RedisSessionStore(link, ttl=config.session_ttl, key=shared["reconnect"].encode()),
        delivery=RedisDeliveryQueue(link, limit=config.queue_limit, ttl=config.session_ttl),
        limiter=RedisRateLimiter(link, limit=config.rate_limit, window=config.rate_window),
        lockout=RedisLockout(link, threshold=config.lockout_threshold, seconds=config.lockout_seconds),
        revoked=RedisSpentTokens(link),
        fanout=RedisFanOut(link, shared),
        view=ClusterView(link),
        jwt_secret=config.jwt_secret if config.jwt_secret_given else shared["jwt"],
        shared=True,
    )
