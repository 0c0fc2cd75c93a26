"""Running a coroutine that never suspends, for synchronous callers of the in-memory ports.

The ports of :mod:`refactored.lifecycle.ports` are coroutines so that a remote store
(Redis) can await the network; their in-memory implementations finish without ever
suspending.  :func:`complete` runs such a coroutine to its end on the spot: the
synchronous :class:`~refactored.driver.MemoryDriver` and the synchronous legacy API
(``get_stats()``) use it when the backends are the in-memory ones.
"""

from __future__ import annotations

from typing import Any, Awaitable


class Suspended(RuntimeError):
    """A coroutine given to :func:`complete` waited on I/O (a remote backend)."""


def complete(awaitable: Awaitable[Any]) -> Any:
    """The result of ``awaitable``, which must finish without suspending."""
    steps = awaitable.__await__()
    try:
        steps.send(None)
    except StopIteration as done:
        return done.value
    steps.close()
    raise Suspended("this call waits on a remote backend: await it inside an event loop")
