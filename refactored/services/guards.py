"""Login guards: the failed-login lockout and the spent refresh tokens.

Two ports (``async`` protocols) with their in-memory implementations; the Redis
ones live in :mod:`refactored.backends.redis`, so that lockouts and spent tokens
count across the instances of a cluster.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable, Protocol

MEMORY = 10_000  # usernames with failures, and spent refresh tokens, remembered


class LockoutPort(Protocol):
    """Failed logins per username, and the lock after too many."""

    async def locked(self, username: str) -> bool:
        """Whether ``username`` is locked now (an expired lock is lifted, its count restarts)."""

    async def failed(self, username: str) -> None:
        """Count one failure; lock ``username`` once the threshold is reached."""

    async def succeeded(self, username: str) -> None:
        """Forget ``username``'s failures."""

    async def unlock_expired(self) -> None:
        """Forget locks that have run out."""


class RevocationPort(Protocol):
    """Refresh tokens already spent (each works once)."""

    async def spend(self, token_id: str, ttl: float) -> bool:
        """Mark ``token_id`` spent for ``ttl`` seconds; False if it already was."""


class _Bounded(OrderedDict):
    """An insertion-ordered dict that forgets its oldest keys past ``MEMORY``."""

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > MEMORY:
            self.popitem(last=False)


class Lockout:
    """In-memory :class:`LockoutPort` on the server's wall clock."""

    def __init__(self, *, threshold: int, seconds: float, wall: Callable[[], float] = time.time) -> None:
        self.threshold = threshold
        self.seconds = seconds
        self.wall = wall
        self._failures: _Bounded = _Bounded()
        self._locked: dict[str, float] = {}

    async def locked(self, username: str) -> bool:
        until = self._locked.get(username)
        if until is None:
            return False
        if self.wall() < until:
            return True
        del self._locked[username]
        self._failures.pop(username, None)
        return False

    async def failed(self, username: str) -> None:
        failures = self._failures.get(username, 0) + 1
        self._failures[username] = failures
        if failures >= self.threshold:
            self._locked[username] = self.wall() + self.seconds

    async def succeeded(self, username: str) -> None:
        self._failures.pop(username, None)

    async def unlock_expired(self) -> None:
        now = self.wall()
        for username in [u for u, until in self._locked.items() if until <= now]:
            del self._locked[username]


class SpentTokens:
    """In-memory :class:`RevocationPort`, bounded (the oldest spent ids are forgotten first)."""

    def __init__(self) -> None:
        self._spent: _Bounded = _Bounded()

    async def spend(self, token_id: str, ttl: float) -> bool:
        if token_id in self._spent:
            return False
        self._spent[token_id] = True
        return True
