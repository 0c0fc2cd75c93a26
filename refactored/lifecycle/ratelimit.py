"""Per-key fixed-window rate limiter (keys are client IPs).

A key's window opens with its first event and lasts ``window`` seconds; every
event in it counts, including the rejected ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class _Window:
    start: float
    count: int = 0


class RateLimiter:
    """Allow at most ``limit`` events per ``window`` seconds for each key (in memory; a
    :class:`~refactored.lifecycle.ports.RateLimitPort`)."""

    def __init__(self, *, limit: int, window: float) -> None:
        self._limit = limit
        self._window = window
        self._windows: dict[str, _Window] = {}

    async def allow(self, key: str, now: float) -> bool:
        """Count one event for ``key`` at ``now``; False if over the limit."""
        window = self._windows.get(key)
        if window is None or now - window.start >= self._window:
            window = self._windows[key] = _Window(now)
        window.count += 1
        return window.count <= self._limit

    async def forget_idle(self, now: float) -> int:
        """Drop keys whose window has closed; return how many."""
        idle = [key for key, w in self._windows.items() if now - w.start >= self._window]
        for key in idle:
            del self._windows[key]
        return len(idle)
