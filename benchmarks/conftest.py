"""Fixtures of the benchmark suite: which servers run, effort, and the results file."""

from __future__ import annotations

import json
import platform
import datetime
import os
from pathlib import Path

import pytest

from benchmarks.targets import TARGETS, raise_fd_limit, unavailable

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("perf", "side-by-side server benchmarks")
    group.addoption("--perf-rounds", type=int, default=21, help="interleaved rounds per workload (default 21)")
    group.addoption("--perf-out", default=str(ROOT / "reports" / "perf"), help="where results.json goes")


@pytest.fixture(scope="session")
def perf_rounds(request: pytest.FixtureRequest) -> int:
    return request.config.getoption("--perf-rounds")


@pytest.fixture(scope="session")
def servers() -> dict[str, str | None]:
    """Server name -> None when it can run, else the reason it is skipped."""
    raise_fd_limit()
    return {name: unavailable(name) for name in TARGETS}


@pytest.fixture(scope="session")
def running_servers(servers: dict[str, str | None]) -> list[str]:
    return [name for name, reason in servers.items() if reason is None]


@pytest.fixture(scope="session")
def results(request: pytest.FixtureRequest, servers: dict[str, str | None]):
    """Collected figures, written to ``<perf-out>/results.json`` at the end of the session."""
    data: dict = {
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "loadavg_start": list(os.getloadavg())},
        "skipped_servers": {k: v for k, v in servers.items() if v},
        "workloads": {}, "dispatch": [], "latency": {}, "corpus": {},
    }
    yield data
    data["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    data["machine"]["loadavg_end"] = list(os.getloadavg())
    out = Path(request.config.getoption("--perf-out"))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    for key in ("workloads", "latency", "corpus"):
        merged = dict(previous.get(key, {}))
        merged.update(data[key])
        data[key] = merged
    data["dispatch"] = data["dispatch"] or previous.get("dispatch", [])
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
