"""Wire timestamps."""

from datetime import datetime, timedelta, timezone

import pytest

from refactored.core import clock
from refactored.core.clock import Clock, iso_now

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def test_iso_now_is_utc_iso8601():
    stamp = iso_now()
    assert stamp.endswith("+00:00")
    assert datetime.fromisoformat(stamp).utcoffset().total_seconds() == 0


def test_clock_takes_fixed_sources():
    clock = Clock(monotonic=lambda: 1.0, iso=lambda: "T", wall=lambda: 2.0)
    assert (clock.monotonic(), clock.iso(), clock.wall()) == (1.0, "T", 2.0)


@pytest.mark.parametrize("nanoseconds", [0, 999, 1_000, 1_700_000_000_000_000_000, 1_700_000_000_000_001_999,
                                         1_700_000_000_999_999_999, 4_102_444_800_123_456_789])
def test_iso_now_is_the_text_of_datetime_isoformat(monkeypatch, nanoseconds):
    monkeypatch.setattr(clock.time, "time_ns", lambda: nanoseconds)
    expected = (EPOCH + timedelta(microseconds=nanoseconds // 1000)).isoformat()
    assert iso_now() == expected
