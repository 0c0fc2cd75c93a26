"""The cluster figures' tool (`python -m loadtests.cluster`) on loopback, at a tiny size: every
deployment measured in every phase, every reply and broadcast accounted for, nothing left running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from loadtests.cluster import redis_cost, spread

ROOT = Path(__file__).resolve().parents[2]


def test_spread_splits_evenly() -> None:
    assert spread(7, 2) == [4, 3] and spread(1000, 1) == [1000] and sum(spread(1001, 3)) == 1001


def test_redis_cost_compares_one_instance_on_redis_with_one_in_memory() -> None:
    phases = {
        "broadcast_100": {"memory-1": [{"median_ms": 4.0, "call_median_ms": 1.0}],
                          "redis-1": [{"median_ms": 5.5, "call_median_ms": 2.0}]},
        "requests": {"memory-1": [{"instances_cpu_us_per_reply": 90.0, "redis_cpu_us_per_reply": 0.0}],
                     "redis-1": [{"instances_cpu_us_per_reply": 150.0, "redis_cpu_us_per_reply": 20.0}]},
    }
    assert redis_cost(phases) == {"broadcast_100": {"added_ms": 1.5, "added_call_ms": 1.0},
                                  "requests": {"added_cpu_us_per_reply": 80.0}}


@pytest.mark.timeout(300)
def test_a_tiny_run_measures_every_deployment(redis_server, tmp_path: Path) -> None:
    out = tmp_path / "cluster.json"
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    done = subprocess.run(
        [sys.executable, "-m", "loadtests.cluster", "--connections", "60", "--window", "1", "--subscribers", "20",
         "--rounds", "3", "--clients", "20", "--requests", "5", "--redis-url", redis_server.url, "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=280, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(out.read_text())
    names = ["memory-1", "redis-1", "redis-2"]
    assert sorted(report["phases"]) == ["broadcast_20", "held", "requests"]
    for name in names:
        held = report["phases"]["held"][name][0]
        assert held["connected"] == 60, held
        assert report["phases"]["broadcast_20"][name][0]["median_ms"] > 0
        requests = report["phases"]["requests"][name][0]
        assert requests["replies"] == 100 and not requests["problems"], requests
    assert set(report["redis_cost"]) == {"broadcast_20", "requests"}
    left = {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}
    assert left <= before
