"""The embedded user store: roles, passwords, lockout and JWTs (PyJWT, HS256).

Access and refresh tokens carry ``sub``, ``permissions``, ``type``, ``iat``,
``exp`` and a random ``jti``; a refresh token is single use.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import jwt

from refactored.core.context import Principal
from refactored.core.errors import AccountLocked, AuthenticationFailed

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": ("read", "trade", "execute_live_trading", "admin", "manage_strategies"),
    "trader": ("read", "trade", "execute_live_trading"),
    "viewer": ("read",),
}
DEV_PASSWORDS = {"admin": "admin123", "trader": "trader123", "viewer": "viewer123"}
ALGORITHM = "HS256"
MEMORY = 10_000  # usernames with failures, and used refresh tokens, remembered


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


class _Bounded(OrderedDict):
    """An insertion-ordered dict that forgets its oldest keys past ``MEMORY``."""

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > MEMORY:
            self.popitem(last=False)


@dataclass(slots=True)
class UserDirectory:
    """Authenticates users and issues and verifies their tokens."""

    passwords: Mapping[str, str]
    secret: str
    access_ttl: int
    refresh_ttl: int
    lockout_threshold: int
    lockout_seconds: float
    wall: Callable[[], float] = time.time
    _failures: _Bounded = field(default_factory=_Bounded)
    _locked: dict[str, float] = field(default_factory=dict)
    _used_refresh: _Bounded = field(default_factory=_Bounded)

    def principal(self, username: str) -> Principal:
        """The :class:`Principal` of a known ``username``."""
        return Principal(username, PERMISSIONS[username])

    def login(self, username: str, password: str) -> Principal:
        """Check a password, counting failures and locking after too many."""
        self._check_lock(username)
        expected = self.passwords.get(username, DEV_PASSWORDS.get(username))
        if username not in PERMISSIONS or not hmac.compare_digest(_bytes(password), _bytes(expected)):
            self._fail(username)
            raise AuthenticationFailed("Invalid username or password")
        self._failures.pop(username, None)
        return self.principal(username)

    def _check_lock(self, username: str) -> None:
        until = self._locked.get(username)
        if until is None:
            return
        if self.wall() < until:
            raise AccountLocked("Account locked due to too many failed login attempts")
        del self._locked[username]
        self._failures.pop(username, None)

    def _fail(self, username: str) -> None:
        failures = self._failures.get(username, 0) + 1
        self._failures[username] = failures
        if failures >= self.lockout_threshold:
            self._locked[username] = self.wall() + self.lockout_seconds

    def unlock_expired(self) -> None:
        """Forget locks that have run out."""
        now = self.wall()
        for username in [u for u, until in self._locked.items() if until <= now]:
            del self._locked[username]

    def token(self, user: Principal, kind: str) -> str:
        """A signed ``access`` or ``refresh`` token for ``user``."""
        now = int(self.wall())
        ttl = self.access_ttl if kind == "access" else self.refresh_ttl
        claims = {"sub": user.username, "permissions": list(user.permissions), "type": kind,
                  "iat": now, "exp": now + ttl, "jti": secrets.token_hex(8)}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, token: str, kind: str) -> Principal:
        """The user named by a valid, unexpired ``kind`` token, else raise."""
        try:
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            raise AuthenticationFailed("Token has expired") from None
        except Exception:
            raise AuthenticationFailed("Invalid token") from None
        if not isinstance(claims, dict) or claims.get("type") != kind or claims.get("sub") not in PERMISSIONS:
            raise AuthenticationFailed("Invalid token")
        return self.principal(claims["sub"])

    def redeem_refresh(self, token: str) -> Principal:
        """Verify a refresh token and spend it (each works once)."""
        user = self.verify(token, "refresh")
        jti = jwt.decode(token, options={"verify_signature": False}).get("jti")
        if jti in self._used_refresh:
            raise AuthenticationFailed("Invalid token")
        if jti is not None:
            self._used_refresh[jti] = True
        return user
