"""Time sources: a monotonic clock for limits and TTLs, ISO stamps for the wire."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable


@lru_cache(maxsize=4)
def _second(seconds: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of a whole UTC second (formatted once per second)."""
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()[:-6]


def iso_now() -> str:
    """The wire timestamp: ``datetime.now(timezone.utc).isoformat()``, the same text, cheaper.

    Both read the system clock floored to the microsecond; as ``isoformat`` does, a
    whole second has no fraction.
    """
    seconds, micros = divmod(time.time_ns() // 1000, 1_000_000)
    return f"{_second(seconds)}.{micros:06d}+00:00" if micros else f"{_second(seconds)}+00:00"


@dataclass(frozen=True, slots=True)
class Clock:
    """Where the server reads time; tests pass fixed functions."""

    monotonic: Callable[[], float] = time.monotonic
    iso: Callable[[], str] = iso_now
    wall: Callable[[], float] = time.time
