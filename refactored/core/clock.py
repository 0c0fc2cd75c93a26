"""Time sources: a monotonic clock for limits and TTLs, ISO stamps for the wire."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable


def iso_now() -> str:
    """The wire timestamp: UTC, ISO 8601 with ``+00:00``."""
    return datetime.now(timezone.utc).isoformat()


@dataclass(frozen=True, slots=True)
class Clock:
    """Where the server reads time; tests pass fixed functions."""

    monotonic: Callable[[], float] = time.monotonic
    iso: Callable[[], str] = iso_now
    wall: Callable[[], float] = time.time
