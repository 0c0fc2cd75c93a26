"""Fixtures of the harness tests: fast timeouts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from harness import transcript as wsgm
from harness.config import HarnessConfig, Timeouts
from harness.scenario import load_scenarios, record_scenario
from harness_support import ISSUER
from subject_trading.config import harness_config

SCENARIOS = Path(__file__).parent / "scenario_files" / "issuer_scenarios.py"


@pytest.fixture
def fast_timeouts() -> Timeouts:
    return Timeouts(connect=2.0, frame=2.0, quiet=0.05, quiet_max=1.0, recording=10.0, start=2.0, close=1.0)


@pytest.fixture
def fast_config(fast_timeouts, tmp_path) -> HarnessConfig:
    return harness_config(timeouts=fast_timeouts, root=tmp_path, concurrency=4)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """Three recordings of the issuer server, recorded once per session (read only)."""
    out = tmp_path_factory.mktemp("recordings")
    config = harness_config(timeouts=Timeouts(quiet=0.05))

    async def record():
        for sc in load_scenarios([SCENARIOS]):
            wsgm.write(await record_scenario(sc, ISSUER, config), out / f"{sc.name}.jsonl")

    asyncio.run(record())
    return out
