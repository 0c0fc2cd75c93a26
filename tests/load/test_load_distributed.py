"""Locust in distributed mode on loopback: one master, two workers, one server, about 10 s.

The master's CSV must show requests and no failures, and its per-worker counts
(``<csv prefix>_workers.csv``, written by ``loadtests/locustfile.py``) requests from both workers.
Every process is stopped in ``finally``; every wait is bounded.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCUST = Path(sys.executable).with_name("locust")
RUN_SECONDS = 10


def _locust() -> str | None:
    return str(LOCUST) if LOCUST.exists() else shutil.which("locust")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


def _server_url(proc: subprocess.Popen, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("listening"):
            return line.split()[1]
        if not line and proc.poll() is not None:
            break
    pytest.fail(f"loadtests.serve did not start (exit code {proc.poll()})")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.load
@pytest.mark.timeout(240)
@pytest.mark.skipif(_locust() is None, reason="locust is not installed")
def test_master_and_two_workers_share_the_load(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOAD_WAIT": "0.2"}
    locustfile = str(ROOT / "loadtests" / "locustfile.py")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "loadtests.serve", "refactored", "--port", "0"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    started: list[subprocess.Popen] = [server]
    try:
        url = _server_url(server)
        master = subprocess.Popen(
            [_locust(), "-f", locustfile, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
             "--headless", "-u", "10", "-r", "10", "-t", f"{RUN_SECONDS}s", "--expect-workers", "2",
             "--expect-workers-max-wait", "60", "--host", url, "--csv", str(tmp_path / "run"), "--only-summary"],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started.append(master)
        for _ in range(2):
            started.append(subprocess.Popen(
                [_locust(), "-f", locustfile, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
                cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _, log = master.communicate(timeout=RUN_SECONDS + 120)
        assert master.returncode == 0, log[-3000:]
        for worker in started[2:]:
            worker.wait(30)  # workers quit when the master does
    finally:
        for proc in reversed(started):
            _stop(proc)
    total = next(row for row in _rows(tmp_path / "run_stats.csv") if row["Name"] == "Aggregated")
    assert int(total["Request Count"]) > 0 and int(total["Failure Count"]) == 0, total
    workers = _rows(tmp_path / "run_workers.csv")
    assert len(workers) == 2, workers
    assert all(int(w["requests"]) > 0 and int(w["failures"]) == 0 for w in workers), workers
