"""A standalone server process (``loadtests.serve``) for the load-tool tests; always stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def legacy_url():
    command = [sys.executable, "-m", "loadtests.serve", "legacy", "--port", "0"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and not line.startswith("listening"):
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail(f"loadtests.serve exited with {proc.returncode}")
        yield line.split()[1]
    finally:
        proc.send_signal(2)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
