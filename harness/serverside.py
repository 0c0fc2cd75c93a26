"""What only the Python side of an in-process target shows: the outcomes of calls of its public
methods, and what it publishes on the event bus it was given. Both become frames of two
server-side streams of an observation (`@calls`, `@events`), so normalisation, noise learning,
diffs, waivers and reports treat them like what a client receives."""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
from dataclasses import dataclass
from typing import Any

CALLS = "@calls"
EVENTS = "@events"
STREAMS = (CALLS, EVENTS)
_SEP = (",", ":")
_MISSING = object()


def _opaque(value: Any) -> str:
    return f"<{type(value).__name__}>"


def jsonable(value: Any) -> Any:
    """`value` as JSON would carry it (tuples become lists); what JSON cannot hold becomes
    `<TypeName>`, a value that cannot be written at all `<unserialisable TypeName>`."""
    try:
        return json.loads(json.dumps(value, default=_opaque, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return f"<unserialisable {type(value).__name__}>"


def stream_text(obj: dict[str, Any]) -> str:
    """The frame text of one server-side observation."""
    return json.dumps(obj, ensure_ascii=False, separators=_SEP)


@dataclass(frozen=True)
class Outcome:
    """What one call did: `returned` a value, `raised` an exception type, or `hung`."""

    method: str
    kind: str  # returned | raised | hung
    value: Any = None

    def frame(self) -> dict[str, Any]:
        """The `@calls` frame: `{"method": m, "returned": v}`, `{"method": m, "raised": "T"}`, or
        `{"method": m, "hung": seconds}`."""
        return {"method": self.method, self.kind: self.value}


@dataclass(frozen=True)
class Publication:
    """One publication on the event bus."""

    topic: str
    data: Any

    def frame(self) -> dict[str, Any]:
        """The `@events` frame: `{"topic": t, "data": d}`."""
        return {"topic": self.topic, "data": self.data}


class EventRecorder:
    """The event bus given to an in-process server (`event_bus=`): `publish(topic, data)` keeps a
    JSON copy of each publication, in order, and sets `arrived` on the harness's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, arrived: asyncio.Event) -> None:
        self.loop = loop
        self.arrived = arrived
        self._lock = threading.Lock()
        self._published: list[Publication] = []

    def publish(self, topic: Any, data: Any = None) -> None:
        with self._lock:
            self._published.append(Publication(str(topic), jsonable(data)))
        self.loop.call_soon_threadsafe(self.arrived.set)

    def published(self) -> tuple[Publication, ...]:
        with self._lock:
            return tuple(self._published)


def accepts_event_bus(cls: Any) -> bool:
    """True when the server class's constructor takes an `event_bus` keyword."""
    try:
        parameters = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False
    return "event_bus" in parameters


class ServerControl:
    """The Python side of a running in-process server: calls on its own loop, its publications."""

    def __init__(self, server: Any, loop: asyncio.AbstractEventLoop, bus: EventRecorder | None) -> None:
        self.server = server
        self.loop = loop
        self.bus = bus

    def problem(self, method: str) -> str | None:
        """Why `method` cannot be called on this server (None: it can)."""
        attribute = getattr(self.server, method, _MISSING)
        if attribute is _MISSING:
            return f"unknown method {method!r} ({type(self.server).__name__} has no such attribute)"
        if not callable(attribute):
            return f"{method!r} is not callable (a {type(attribute).__name__})"
        return None

    async def call(self, method: str, args: list[Any], kwargs: dict[str, Any], timeout: float) -> Outcome:
        """Run `server.method(*args, **kwargs)` on the server's loop (awaited if it returns an
        awaitable), bounded by `timeout`: a hang is an outcome, not a wait forever."""
        future = asyncio.run_coroutine_threadsafe(self._invoke(method, args, kwargs), self.loop)
        try:
            value = await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except asyncio.TimeoutError:
            future.cancel()
            return Outcome(method, "hung", timeout)
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():
                raise
            return Outcome(method, "raised", "CancelledError")
        except Exception as exc:  # the method's own exception is what is observed
            return Outcome(method, "raised", type(exc).__name__)
        return Outcome(method, "returned", value)

    async def _invoke(self, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        result = getattr(self.server, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return jsonable(result)

    def published(self) -> tuple[Publication, ...]:
        """The publications so far (none when the server takes no event bus)."""
        return self.bus.published() if self.bus is not None else ()

    async def running_tasks(self, timeout: float) -> int:
        """How many tasks the server's loop runs besides this count (one handler per open
        connection, plus the server's own), bounded by `timeout`."""
        future = asyncio.run_coroutine_threadsafe(_other_tasks(), self.loop)
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout)


async def _other_tasks() -> int:
    return len(asyncio.all_tasks()) - 1
