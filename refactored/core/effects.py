"""Effects: what the sans-I/O core asks its I/O loop to do besides replying.

Each effect is plain data: no closures, no generators.  ``Engine.apply`` is the
one place that performs them, through the ``Outlet`` of the I/O loop that runs
it (the asyncio server or the in-memory driver): ``Push`` and ``Publish`` become
encoded deliveries, ``Spawn`` starts a background run whose steps the engine
keeps, ``Announce`` goes to the event bus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from refactored.core.context import Connection


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
    """Start the background run of record ``run`` (a trading session or a collection): every
    ``interval`` seconds the engine takes its next step of effects, until its steps run out
    (a stopped run's steps end early).  ``key`` names the job.
    """

    key: str
    run: Any
    interval: float


@dataclass(frozen=True, slots=True)
class Delivery:
    """One frame, encoded once, for one or more connections; ``message_id`` marks it critical."""

    conns: list[Connection]
    text: str
    message_id: str | None = None
    frame: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Outlet:
    """What an I/O loop does for the engine: write a delivery at once (returning the connections
    it could not be written to), call ``Engine.step`` for run ``key`` every ``interval``
    seconds until it returns False, and hand a topic to the event bus."""

    write: Callable[[Delivery], list[Connection]]
    schedule: Callable[[str, float], None]
    announce: Callable[[str, dict[str, Any]], None]
