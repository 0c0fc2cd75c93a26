"""The ports of the shared state: what several instances of one server must see alike.

Each port is an ``async`` protocol with two implementations: the in-memory one of
this package (the default; its coroutines finish without suspending, see
:mod:`refactored.core.immediate`) and the Redis one of :mod:`refactored.backends.redis`.
``now`` is the server's monotonic clock; the in-memory ports expire by it, the Redis
ones by Redis's own key TTLs (one clock for the whole cluster).  A remote port that
cannot reach its store raises :class:`~refactored.core.errors.BackendUnavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Protocol

from refactored.core.context import Connection
from refactored.core.effects import Publish, Push


@dataclass(slots=True)
class Snapshot:
    """The part of a connection that survives a disconnect."""

    user: Any = None
    subscriptions: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Queued:
    """One critical frame waiting for its client."""

    message_id: Any
    frame: dict[str, Any]
    expires_at: float


class SessionPort(Protocol):
    """Reconnect tokens and the saved sessions of departed clients."""

    async def issue(self, client_id: str) -> str:
        """A fresh reconnect token for connected ``client_id`` (earlier ones stop working)."""

    async def discard(self, client_id: str) -> None:
        """Forget ``client_id`` entirely (its token stops working)."""

    async def track(self, conn: Connection) -> None:
        """Keep the session of connected ``conn`` current, so that it outlives an instance that
        dies without saving it (nothing to do when the store lives and dies with the server)."""

    async def recover(self) -> None:
        """If the store lost its data (a Redis restart without persistence), write back the
        sessions of this instance's connected clients (upkeep; nothing to do in memory)."""

    async def save(self, client_id: str, snapshot: Snapshot, now: float) -> None:
        """Keep ``snapshot`` for disconnected ``client_id`` until the TTL runs out."""

    async def redeem(self, token: Any, now: float) -> tuple[str, Snapshot]:
        """Verify ``token`` and hand back its client id and snapshot, once (raises TokenRejected)."""

    async def is_saved(self, client_id: str, now: float) -> bool:
        """Whether ``client_id`` is disconnected with an unexpired session."""

    async def knows(self, client_id: str) -> bool:
        """Whether a token or a session of ``client_id`` is kept."""

    async def saved(self, now: float) -> list[tuple[str, Snapshot]]:
        """Unexpired saved sessions, oldest first."""

    async def saved_count(self) -> int:
        """Saved sessions not purged yet."""

    async def purge(self, now: float) -> list[str]:
        """Drop expired sessions; return their client ids."""


class DeliveryPort(Protocol):
    """Per-client queues of critical frames, and the ledger of delivered message ids."""

    async def put(self, client_id: str, message_id: Any, frame: dict[str, Any], now: float) -> None:
        """Queue ``frame``; raise DuplicateMessageError, or QueueOverflowError after dropping the oldest."""

    async def requeue(self, client_id: str, message_id: Any, frame: dict[str, Any], now: float) -> None:
        """Queue again a frame whose write failed (it is no longer counted as delivered)."""

    async def first_time(self, client_id: str, message_id: Any) -> bool:
        """Record ``message_id`` as delivered to ``client_id``; False if it was already."""

    async def take(self, client_id: str, now: float) -> list[Queued]:
        """Unexpired frames for ``client_id``, oldest first, emptying its queue (atomically)."""

    async def drain(self, client_id: str, now: float) -> list[Queued]:
        """Like :meth:`take`, without frames already delivered; marks the rest delivered."""

    async def pending(self, client_id: str) -> int:
        """How many frames wait for ``client_id``."""

    async def clients(self) -> list[str]:
        """Client ids with frames waiting."""

    async def forget(self, client_id: str) -> None:
        """Drop everything kept for ``client_id``."""

    async def retain(self, sessions: SessionPort) -> None:
        """Drop the delivery state of clients ``sessions`` no longer knows."""


class RateLimitPort(Protocol):
    """A fixed-window counter of events per key (client IPs)."""

    async def allow(self, key: str, now: float) -> bool:
        """Count one event for ``key``; False if over the limit."""

    async def forget_idle(self, now: float) -> int:
        """Drop keys whose window has closed; return how many."""


@dataclass(frozen=True, slots=True)
class Relayed:
    """A ``Push`` or ``Publish`` made on another instance, and the id its receiver count is
    acknowledged under (``None``: nobody waits for the count)."""

    effect: Push | Publish
    ack: str | None = None


class FanOut(Protocol):
    """Pushes and publications between the instances of one cluster, and the id sequence of
    ``broadcast_to_subscribers``.  Each instance delivers only to its own connections."""

    async def next_broadcast_id(self) -> int:
        """The next number of the cluster's ``broadcast:<n>`` message ids."""

    async def relay(self, effect: Push | Publish) -> None:
        """Hand ``effect`` to the other instances (nobody waits for their count)."""

    async def broadcast(self, effect: Publish) -> int:
        """Hand ``effect`` to the other instances and return how many connections they wrote it to."""

    async def acknowledge(self, relayed: Relayed, written: int) -> None:
        """Report how many connections of this instance got ``relayed``."""

    def incoming(self) -> AsyncIterator[Relayed]:
        """What the other instances relay, for as long as the server runs."""

    async def close(self) -> None:
        """Release connections."""


@dataclass(frozen=True, slots=True)
class SharedFigures:
    """The figures of the shared state that ``get_stats()`` reports, and the cluster's totals
    (``None`` for a server alone)."""

    persisted: int
    queued_messages: int
    cluster: dict[str, Any] | None = None


class SyncView(Protocol):
    """What the synchronous legacy API (``get_stats()``, ``cleanup_expired_client_sessions()``)
    reads of the shared state: exact at once (on Redis, by a short blocking read)."""

    def figures(self) -> SharedFigures:
        """Saved sessions, their queued frames, and the cluster's totals."""

    def expire(self, now: float) -> int:
        """Drop expired sessions with their queues now; how many."""

    async def refresh(self, report: Callable[[SharedFigures], dict[str, Any]]) -> None:
        """Share this instance's ``report(shared figures known)`` and read the cluster's figures
        (upkeep; a server alone does nothing, not even the report)."""
