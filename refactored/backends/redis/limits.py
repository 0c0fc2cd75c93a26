"""Counters that must hold across instances, on Redis: the per-IP rate limit, the login
lockout and the spent refresh tokens.  Each is one atomic step (a Lua script or ``SET NX``)
and each key expires by itself."""

from __future__ import annotations

from refactored.backends.redis.link import RedisLink, shielded

FAILURES_TTL = 86400  # seconds a username's failed logins are remembered without a new one

_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""

_FAIL = """
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], 1, 'PX', ARGV[2])
  redis.call('DEL', KEYS[1])
end
return n
"""


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class RedisRateLimiter:
    """A fixed window per key opened by its first event: ``INCR`` and a TTL of one window."""

    def __init__(self, link: RedisLink, *, limit: int, window: float) -> None:
        self._link = link
        self._limit = limit
        self._window_ms = _ms(window)
        self._count = link.script(_COUNT)

    @shielded
    async def allow(self, key: str, now: float) -> bool:
        return await self._count(keys=[self._link.key("rate", key)], args=[self._window_ms]) <= self._limit

    async def forget_idle(self, now: float) -> int:
        """Nothing to do: a closed window's key has expired."""
        return 0


class RedisLockout:
    """Failed logins per username; the lock is a key that expires after ``seconds``."""

    def __init__(self, link: RedisLink, *, threshold: int, seconds: float) -> None:
        self._link = link
        self._threshold = threshold
        self._lock_ms = _ms(seconds)
        self._fail = link.script(_FAIL)

    @shielded
    async def locked(self, username: str) -> bool:
        return bool(await self._link.client.exists(self._link.key("lock", username)))

    @shielded
    async def failed(self, username: str) -> None:
        await self._fail(keys=[self._link.key("failures", username), self._link.key("lock", username)],
                         args=[self._threshold, self._lock_ms, FAILURES_TTL])

    @shielded
    async def succeeded(self, username: str) -> None:
        await self._link.client.delete(self._link.key("failures", username))

    async def unlock_expired(self) -> None:
        """Nothing to do: an expired lock's key is gone."""


class RedisSpentTokens:
    """Spent refresh-token ids: ``SET NX`` with the token's lifetime as TTL."""

    def __init__(self, link: RedisLink) -> None:
        self._link = link

    @shielded
    async def spend(self, token_id: str, ttl: float) -> bool:
        return bool(await self._link.client.set(self._link.key("spent", token_id), 1, nx=True, px=_ms(ttl)))
