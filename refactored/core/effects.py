"""Effects: what the sans-I/O core asks its I/O loop to do besides replying.

Each effect is plain data.  The engine turns ``Push`` and ``Publish`` into
encoded deliveries; the asyncio server and the in-memory driver each keep
one table from the other effect types to the code that performs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator


@dataclass(frozen=True, slots=True)
class Push:
    """Send ``frame`` to one client; ``message_id`` marks a critical frame (queued if away)."""

    client_id: str
    frame: dict[str, Any]
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Publish:
    """Send ``frame`` to every subscriber of ``stream`` except ``exclude``.

    Subscribers with a symbol list get it only if ``frame["data"]`` has no ``symbol``
    or one of theirs.  ``message_id`` marks a critical frame: delivered once per
    client, and queued for subscribers who are away.
    """

    stream: str
    frame: dict[str, Any]
    exclude: str | None = None
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Announce:
    """Tell the event bus about ``topic`` (if the server has one)."""

    topic: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Spawn:
    """Run ``steps`` in the background: wait ``interval``, apply the next list of effects, repeat.

    ``key`` names the job; a run ends when its steps run out (a stopped run's steps end early).
    """

    key: str
    steps: Iterator[list[Any]]
    interval: float
