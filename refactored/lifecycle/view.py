"""The in-memory :class:`~refactored.lifecycle.ports.SyncView`: exact figures, computed at once."""

from __future__ import annotations

from typing import Any, Callable

from refactored.core.immediate import complete
from refactored.lifecycle.ports import DeliveryPort, SessionPort, SharedFigures


async def shared_figures(sessions: SessionPort, delivery: DeliveryPort) -> SharedFigures:
    """Saved sessions (expired ones included until purged) and the frames queued for them."""
    saved = await sessions.saved(float("-inf"))
    queued = sum([await delivery.pending(client_id) for client_id, _ in saved])
    return SharedFigures(await sessions.saved_count(), queued)


async def expire_sessions(sessions: SessionPort, delivery: DeliveryPort, now: float) -> int:
    """Drop sessions whose TTL has run out, with what was queued for them; how many."""
    expired = await sessions.purge(now)
    for client_id in expired:
        await delivery.forget(client_id)
    return len(expired)


class ImmediateView:
    """Reads in-memory ports synchronously: their coroutines never suspend."""

    def __init__(self, sessions: SessionPort, delivery: DeliveryPort) -> None:
        self._sessions = sessions
        self._delivery = delivery

    def figures(self) -> SharedFigures:
        return complete(shared_figures(self._sessions, self._delivery))

    def expire(self, now: float) -> int:
        return complete(expire_sessions(self._sessions, self._delivery, now))

    async def refresh(self, report: Callable[[SharedFigures], dict[str, Any]]) -> None:
        """A server alone has no cluster to tell."""
