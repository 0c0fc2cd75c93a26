"""Wire timestamps."""

from datetime import datetime

from refactored.core.clock import Clock, iso_now


def test_iso_now_is_utc_iso8601():
    stamp = iso_now()
    assert stamp.endswith("+00:00")
    assert datetime.fromisoformat(stamp).utcoffset().total_seconds() == 0


def test_clock_takes_fixed_sources():
    clock = Clock(monotonic=lambda: 1.0, iso=lambda: "T", wall=lambda: 2.0)
    assert (clock.monotonic(), clock.iso(), clock.wall()) == (1.0, "T", 2.0)
