"""The connection to Redis that every Redis port shares: the client, the namespace, the
cluster's secrets, and the one translation of "Redis is away" into
:class:`~refactored.core.errors.BackendUnavailable`.
"""

from __future__ import annotations

import functools
import secrets
from typing import Any, Awaitable, Callable, TypeVar

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from refactored.core.errors import BackendUnavailable, ConfigurationError

SOCKET_TIMEOUT = 2.0  # seconds one command may take before Redis counts as away
RETRIES = 2  # reconnection attempts of one command, with exponential backoff
# Connections to Redis of one instance: a command waits for a free one (up to POOL_WAIT seconds)
# rather than failing when every one is busy, so a burst of clients is not taken for Redis away.
POOL_SIZE = 64
POOL_WAIT = 10.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
SECRETS = ("jwt", "reconnect")

T = TypeVar("T")


def shielded(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """``method`` raising :class:`BackendUnavailable` when Redis cannot be reached."""
    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> T:
        try:
            return await method(*args, **kwargs)
        except UNREACHABLE as exc:
            raise BackendUnavailable() from exc
    return call


def _options() -> dict[str, Any]:
    return {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": SOCKET_TIMEOUT,
            "retry": Retry(ExponentialBackoff(cap=0.2, base=0.02), RETRIES),
            "retry_on_error": [RedisConnectionError, RedisTimeoutError]}


class RedisLink:
    """One asyncio Redis client (hiredis parser when installed, a bounded pool of connections)
    and the key namespace."""

    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.namespace = namespace
        pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=POOL_SIZE, timeout=POOL_WAIT,
                                                        **_options())
        self.client = aioredis.Redis.from_pool(pool)
        # for the synchronous legacy API (get_stats()): short reads that block, bounded
        self.reader = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT)
        self.instance_id = secrets.token_hex(6)

    def key(self, *parts: str) -> bytes:
        """``<namespace>:<part>:<part>...``: every key and channel of the cluster, as bytes (a part
        may come from a client: a username with a lone surrogate is still one key of its own)."""
        return ":".join((self.namespace, *parts)).encode("utf-8", "surrogatepass")

    def alive_key(self, instance_id: str) -> bytes:
        """The key an instance refreshes while it runs (it expires soon after the instance dies)."""
        return self.key("figures", instance_id)

    def script(self, source: str) -> Any:
        """A Lua script (EVALSHA, loaded again after a Redis restart)."""
        return self.client.register_script(source)

    def shared_secrets(self) -> dict[str, str]:
        """The cluster's secrets: the first instance stores random ones (SET NX), the others
        read them.  Runs once when the server is built; an unreachable Redis stops it."""
        try:
            with redis.Redis.from_url(self.url, socket_timeout=SOCKET_TIMEOUT,
                                      socket_connect_timeout=SOCKET_TIMEOUT) as client:
                for name in SECRETS:
                    client.set(self.key("secret", name), secrets.token_urlsafe(32), nx=True)
                values = client.mget([self.key("secret", name) for name in SECRETS])
        except UNREACHABLE as exc:
            raise ConfigurationError(f"redis_url {self.url}: cannot reach Redis ({exc})") from exc
        return {name: value.decode() for name, value in zip(SECRETS, values)}

    async def reassert(self, values: dict[str, str]) -> None:
        """Store the cluster's secrets again if Redis lost them (a restart without persistence)."""
        async with self.client.pipeline(transaction=False) as pipe:
            for name, value in values.items():
                pipe.set(self.key("secret", name), value, nx=True)
            await pipe.execute()

    async def close(self) -> None:
        """Close the clients' connections (they reopen if used again)."""
        await self.client.aclose()
        self.reader.close()
