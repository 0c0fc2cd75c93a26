"""The embedded user store: roles, passwords, lockout and JWTs (PyJWT, HS256).

Access and refresh tokens carry ``sub``, ``permissions``, ``type``, ``iat``,
``exp`` and a random ``jti``; a refresh token is single use.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Callable, Mapping

import jwt

from refactored.core.context import Principal
from refactored.core.errors import AccountLocked, AuthenticationFailed
from refactored.services.guards import LockoutPort, RevocationPort

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": ("read", "trade", "execute_live_trading", "admin", "manage_strategies"),
    "trader": ("read", "trade", "execute_live_trading"),
    "viewer": ("read",),
}
DEV_PASSWORDS = {"admin": "admin123", "trader": "trader123", "viewer": "viewer123"}
ALGORITHM = "HS256"


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@dataclass(slots=True)
class UserDirectory:
    """Authenticates users and issues and verifies their tokens; lockouts and spent refresh
    tokens live behind their ports (in memory, or shared through Redis)."""

    passwords: Mapping[str, str]
    secret: str
    access_ttl: int
    refresh_ttl: int
    lockout: LockoutPort
    revoked: RevocationPort
    wall: Callable[[], float] = time.time

    def principal(self, username: str) -> Principal:
        """The :class:`Principal` of a known ``username``."""
        return Principal(username, PERMISSIONS[username])

    async def login(self, username: str, password: str) -> Principal:
        """Check a password, counting failures and locking after too many."""
        if await self.lockout.locked(username):
            raise AccountLocked("Account locked due to too many failed login attempts")
        expected = self.passwords.get(username, DEV_PASSWORDS.get(username))
        if username not in PERMISSIONS or not hmac.compare_digest(_bytes(password), _bytes(expected)):
            await self.lockout.failed(username)
            raise AuthenticationFailed("Invalid username or password")
        await self.lockout.succeeded(username)
        return self.principal(username)

    async def unlock_expired(self) -> None:
        """Forget locks that have run out."""
        await self.lockout.unlock_expired()

    def token(self, user: Principal, kind: str) -> str:
        """A signed ``access`` or ``refresh`` token for ``user``."""
        now = int(self.wall())
        ttl = self.access_ttl if kind == "access" else self.refresh_ttl
        claims = {"sub": user.username, "permissions": list(user.permissions), "type": kind,
                  "iat": now, "exp": now + ttl, "jti": secrets.token_hex(8)}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, token: str, kind: str) -> Principal:
        """The user named by a valid, unexpired ``kind`` token, else raise."""
        return self.principal(self._claims(token, kind)["sub"])

    def _claims(self, token: str, kind: str) -> dict:
        try:
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            raise AuthenticationFailed("Token has expired") from None
        except Exception:
            raise AuthenticationFailed("Invalid token") from None
        if not isinstance(claims, dict) or claims.get("type") != kind or claims.get("sub") not in PERMISSIONS:
            raise AuthenticationFailed("Invalid token")
        return claims

    async def redeem_refresh(self, token: str) -> Principal:
        """Verify a refresh token and spend it (each works once, on every instance)."""
        claims = self._claims(token, "refresh")
        jti = claims.get("jti")
        if jti is not None and not await self.revoked.spend(str(jti), self.refresh_ttl):
            raise AuthenticationFailed("Invalid token")
        return self.principal(claims["sub"])
