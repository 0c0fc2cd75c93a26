"""Fixtures of the harness tests: fast timeouts."""

from __future__ import annotations

import pytest

from harness.config import HarnessConfig, Timeouts
from subject_trading.config import harness_config


@pytest.fixture
def fast_timeouts() -> Timeouts:
    return Timeouts(connect=2.0, frame=2.0, quiet=0.05, quiet_max=1.0, recording=10.0, start=2.0, close=1.0)


@pytest.fixture
def fast_config(fast_timeouts, tmp_path) -> HarnessConfig:
    return harness_config(timeouts=fast_timeouts, root=tmp_path, concurrency=4)
