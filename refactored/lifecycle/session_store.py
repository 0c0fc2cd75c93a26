"""Session store: what a client gets back when it reconnects.

A reconnect token is ``<client_id>:<64 hex chars from secrets>``.  The store
keeps only an HMAC of the latest token of each client under a per-server
key, so a token is accepted only if it is exactly the one issued last
(compared in constant time), its client is disconnected, its session has not
expired and it was not redeemed before.  The store is bounded: the oldest
saved session goes first.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from refactored.core.context import Connection
from refactored.core.errors import TokenRejected
from refactored.lifecycle.ports import Snapshot

__all__ = ["SessionStore", "Snapshot"]

_LIVE = float("inf")  # a connected client's session does not expire


@dataclass(slots=True)
class _Entry:
    mac: bytes
    expires_at: float = _LIVE
    snapshot: Snapshot | None = None


class SessionStore:
    """Issued reconnect tokens and saved sessions, with a TTL and a size bound (in memory; a
    :class:`~refactored.lifecycle.ports.SessionPort`)."""

    def __init__(self, *, ttl: float, max_sessions: int, key: bytes | None = None) -> None:
        self._ttl = ttl
        self._max = max_sessions
        self._key = key or secrets.token_bytes(32)
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._entries

    def _mac(self, token: str) -> bytes:
        return hmac.new(self._key, token.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    async def issue(self, client_id: str) -> str:
        """A fresh reconnect token for connected ``client_id`` (earlier ones stop working)."""
        token = f"{client_id}:{secrets.token_hex(32)}"
        self._entries.pop(client_id, None)
        self._entries[client_id] = _Entry(self._mac(token))
        if len(self._entries) > self._max:
            self._evict()
        return token

    def _evict(self) -> None:
        """Make room: the oldest saved session goes first, a live client's token last."""
        oldest_saved = next((cid for cid, entry in self._entries.items() if entry.snapshot is not None), None)
        if oldest_saved is not None:
            del self._entries[oldest_saved]
        else:
            self._entries.popitem(last=False)

    async def discard(self, client_id: str) -> None:
        """Forget ``client_id`` entirely (its token stops working)."""
        self._entries.pop(client_id, None)

    async def track(self, conn: Connection) -> None:
        """Nothing to do: this store dies with its server, and with it every connection."""

    async def recover(self) -> None:
        """Nothing to do: this store never loses its data while its server runs."""

    async def save(self, client_id: str, snapshot: Snapshot, now: float) -> None:
        """Keep ``snapshot`` for disconnected ``client_id`` until the TTL runs out."""
        entry = self._entries.get(client_id)
        if entry is not None:
            entry.snapshot = snapshot
            entry.expires_at = now + self._ttl

    async def redeem(self, token: Any, now: float) -> tuple[str, Snapshot]:
        """Verify ``token`` and hand back its client id and snapshot, once."""
        if not isinstance(token, str) or ":" not in token:
            raise TokenRejected("malformed reconnect token")
        client_id = token.split(":", 1)[0]
        entry = self._entries.get(client_id)
        if entry is None or entry.snapshot is None:
            raise TokenRejected("no saved session")
        if not hmac.compare_digest(entry.mac, self._mac(token)):
            raise TokenRejected("reconnect token does not match")
        del self._entries[client_id]
        if entry.expires_at <= now:
            raise TokenRejected("saved session expired")
        return client_id, entry.snapshot

    async def is_saved(self, client_id: str, now: float) -> bool:
        """Whether ``client_id`` is disconnected with an unexpired session."""
        entry = self._entries.get(client_id)
        return entry is not None and entry.snapshot is not None and entry.expires_at > now

    async def saved(self, now: float) -> list[tuple[str, Snapshot]]:
        """Unexpired saved sessions, oldest first."""
        return [(client_id, entry.snapshot) for client_id, entry in self._entries.items()
                if entry.snapshot is not None and entry.expires_at > now]

    async def knows(self, client_id: str) -> bool:
        """Whether a token or a session of ``client_id`` is kept."""
        return client_id in self._entries

    async def saved_count(self) -> int:
        """Saved sessions not purged yet (expired ones included until :meth:`purge`)."""
        return sum(1 for entry in self._entries.values() if entry.snapshot is not None)

    async def purge(self, now: float) -> list[str]:
        """Drop expired sessions; return their client ids."""
        expired = [cid for cid, entry in self._entries.items() if entry.expires_at <= now]
        for client_id in expired:
            del self._entries[client_id]
        return expired
