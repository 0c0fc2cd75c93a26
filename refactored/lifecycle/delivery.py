"""Resilient delivery of critical frames (orders, positions).

Per client id it keeps two things:

* a queue of frames waiting for the client to come back: deduplicated by
  message id, bounded (the oldest frame is dropped on overflow, reported as
  :class:`QueueOverflowError`) and limited in age;
* a bounded ledger of message ids already delivered, so that each frame
  reaches its client once, however often it is pushed or re-queued.

A frame whose write failed goes back into the queue (:meth:`requeue`) and
the server's flusher retries it.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from typing import Any

from refactored.core.errors import DuplicateMessageError, QueueOverflowError
from refactored.lifecycle.ports import Queued, SessionPort

__all__ = ["DeliveryQueue", "Queued"]


class DeliveryQueue:
    """Per-client queues of critical frames, and the ledger of delivered ids (in memory; a
    :class:`~refactored.lifecycle.ports.DeliveryPort`)."""

    def __init__(self, *, limit: int, ttl: float, remember: int = 10_000) -> None:
        self._limit = limit
        self._ttl = ttl
        self._remember = remember
        self._queues: dict[str, deque[Queued]] = {}
        self._delivered: dict[str, OrderedDict[str, None]] = {}

    async def pending(self, client_id: str) -> int:
        """How many frames wait for ``client_id``."""
        return len(self._queues.get(client_id, ()))

    async def clients(self) -> list[str]:
        """Client ids with frames waiting."""
        return [cid for cid, queue in self._queues.items() if queue]

    def known(self) -> set[str]:
        """Client ids with anything kept: waiting frames or delivered ids."""
        return set(self._queues) | set(self._delivered)

    async def put(self, client_id: str, message_id: str, frame: dict[str, Any], now: float) -> None:
        """Queue ``frame``; raise on a duplicate id, or after dropping the oldest on overflow."""
        queue = self._queues.setdefault(client_id, deque())
        if any(item.message_id == message_id for item in queue):
            raise DuplicateMessageError(message_id)
        queue.append(Queued(message_id, frame, now + self._ttl))
        if len(queue) > self._limit:
            dropped = queue.popleft()
            raise QueueOverflowError(f"{client_id}: dropped {dropped.message_id}")

    async def requeue(self, client_id: str, message_id: str, frame: dict[str, Any], now: float) -> None:
        """Queue again a frame whose write failed, so that the flusher resends it."""
        self._delivered.get(client_id, {}).pop(message_id, None)
        await self.put(client_id, message_id, frame, now)

    async def first_time(self, client_id: str, message_id: str) -> bool:
        """Record ``message_id`` as delivered to ``client_id``; False if it was already."""
        ledger = self._delivered.setdefault(client_id, OrderedDict())
        if message_id in ledger:
            return False
        ledger[message_id] = None
        if len(ledger) > self._remember:
            ledger.popitem(last=False)
        return True

    async def take(self, client_id: str, now: float) -> list[Queued]:
        """Unexpired frames for ``client_id``, oldest first, emptying its queue."""
        queue = self._queues.pop(client_id, None)
        return [item for item in queue or () if item.expires_at > now]

    async def drain(self, client_id: str, now: float) -> list[Queued]:
        """Like :meth:`take`, without frames already delivered; marks the rest delivered."""
        return [item for item in await self.take(client_id, now) if await self.first_time(client_id, item.message_id)]

    async def forget(self, client_id: str) -> None:
        """Drop everything kept for ``client_id`` (its session ended)."""
        self._queues.pop(client_id, None)
        self._delivered.pop(client_id, None)

    async def retain(self, sessions: SessionPort) -> None:
        """Drop the delivery state of clients ``sessions`` no longer knows (expired or evicted)."""
        for client_id in self.known():
            if not await sessions.knows(client_id):
                await self.forget(client_id)
