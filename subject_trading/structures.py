"""The refactored package's session store and delivery queue, filled as its server fills them.

Each session connects (a reconnect token is issued), leaves (its state is saved for the TTL)
and leaves one critical frame queued; ``WINDOW`` sessions later that client comes back for its
frame and its session ends.
"""

from __future__ import annotations

from typing import Any

from harness.gates.memory.bounded import BoundedSubject
from refactored.core.immediate import complete

MAX_SESSIONS = 10_000
QUEUE_LIMIT = 1_000
TTL = 3600.0
CLOCK_STEP = 0.01  # simulated seconds between two sessions
WINDOW = 1_000  # sessions whose frames wait at any one time
PURGE_EVERY = 1_000


def session_store_subject(store: Any, bound: int, snapshot: Any = None, step: float = CLOCK_STEP) -> BoundedSubject:
    """A store with ``issue(client_id)``, ``save(client_id, snapshot, now)``, ``purge(now)`` (coroutines
    that never wait: the in-memory port) and ``len()``."""

    def add(index: int) -> None:
        client_id, now = f"client_{index}", index * step
        complete(store.issue(client_id))
        complete(store.save(client_id, snapshot, now))
        if index % PURGE_EVERY == 0:
            complete(store.purge(now))

    return BoundedSubject("session_store", add, lambda: len(store), bound)


def delivery_queue_subject(queue: Any, bound: int, window: int = WINDOW, step: float = CLOCK_STEP) -> BoundedSubject:
    """A queue with ``put``, ``drain``, ``forget``, ``clients()`` and ``pending(client_id)`` (coroutines
    that never wait: the in-memory port); the bound is on frames held."""

    def add(index: int) -> None:
        now = index * step
        complete(queue.put(f"client_{index}", f"client_{index}:1", {"seq": index}, now))
        if index >= window:
            gone = f"client_{index - window}"
            complete(queue.drain(gone, now))
            complete(queue.forget(gone))

    def size() -> int:
        return sum(complete(queue.pending(client)) for client in complete(queue.clients()))

    return BoundedSubject("delivery_queue", add, size, bound)


def refactored_structures() -> list[BoundedSubject]:
    """The refactored package's session store and delivery queue at their configured bounds."""
    from refactored.lifecycle.delivery import DeliveryQueue
    from refactored.lifecycle.session_store import SessionStore, Snapshot

    return [
        session_store_subject(SessionStore(ttl=TTL, max_sessions=MAX_SESSIONS), MAX_SESSIONS, Snapshot()),
        delivery_queue_subject(DeliveryQueue(limit=QUEUE_LIMIT, ttl=TTL), QUEUE_LIMIT),
    ]
