"""``python -m compat``: the flags of ``python -m legacy``, the side it serves and why, clean stops."""

import ast
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from websockets.sync.client import connect

from harness.codemods.shim import ShimChoice, write_shim

ROOT = Path(__file__).resolve().parents[2]
WAIT = 15  # seconds for any one line or exit


def _flags(module: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=WAIT)
    assert proc.returncode == 0, proc.stderr
    return sorted(set(re.findall(r"--[a-z][a-z-]+", proc.stdout)))


def test_same_flags_as_python_m_legacy():
    flags = _flags("compat")
    assert flags == _flags("legacy")
    assert "--settings" in flags and "--heartbeat-interval" in flags


class Served:
    """``python -m compat`` on a free loopback port; its stdout lines read in a thread."""

    def __init__(self, env: dict[str, str], cwd: Path, *flags: str):
        command = [sys.executable, "-m", "compat", "--host", "127.0.0.1", "--port", "0", "--log-level", "WARNING",
                   *flags]
        self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def line(self) -> str:
        try:
            return self.lines.get(timeout=WAIT)
        except queue.Empty:
            pytest.fail(f"no output within {WAIT} s")

    def stop(self, sig: int) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=WAIT)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)
        self.proc.stdout.close()
        self.proc.stderr.close()


def _serve_and_stop(env: dict[str, str], cwd: Path, sig: int, *flags: str) -> tuple[str, dict, int]:
    served = Served(env, cwd, *flags)
    try:
        first, listening = served.line(), served.line()
        port = int(re.fullmatch(r"Listening on ws://127\.0\.0\.1:(\d+)", listening).group(1))
        with connect(f"ws://127.0.0.1:{port}", proxy=None, open_timeout=WAIT) as ws:
            welcome = json.loads(ws.recv(timeout=WAIT))
            ws.send(json.dumps({"type": "ping", "id": 1}))
            assert json.loads(ws.recv(timeout=WAIT))["type"] == "pong"
        return first, welcome, served.stop(sig)
    finally:
        served.close()


def _shim() -> dict[str, str]:
    """The shim's import and constants, read from its source (importing it here would install its
    deprecation hook in this test process)."""
    tree = ast.parse((ROOT / "compat" / "__init__.py").read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module != "compat._deprecation":
            found["module"] = node.module
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            found[node.targets[0].id] = node.value.value
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_what_the_shim_exposes_and_stops_cleanly(sig):
    first, welcome, code = _serve_and_stop(dict(os.environ), ROOT, sig, "--settings", '{"rate_limit": 50}')
    shim = _shim()
    assert first.startswith(f"compat serves {shim['EXPOSED']} ({shim['module']}")
    assert first.endswith(f"WebSocketAPIServer): {shim['REASON']}")
    assert welcome["status"] == "connected"
    assert code == 0


def test_a_shim_pointing_at_legacy_serves_legacy(tmp_path):
    shutil.copytree(ROOT / "compat", tmp_path / "compat", ignore=shutil.ignore_patterns("__pycache__"))
    reason = "bench failed (candidate slower than the bench threshold); figures in verdict.json"
    write_shim(tmp_path / "compat" / "__init__.py", ShimChoice("legacy.websocket_server", "WebSocketAPIServer",
                                                               "legacy", reason))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    first, welcome, code = _serve_and_stop(env, tmp_path, signal.SIGTERM)  # the copy comes first on sys.path
    assert first == f"compat serves legacy (legacy.websocket_server.WebSocketAPIServer): {reason}"
    assert welcome["status"] == "connected" and code == 0


@pytest.mark.parametrize("settings, message", [("{", "invalid JSON"), ("[1]", "must be a JSON object")])
def test_bad_settings_are_a_usage_error(settings, message):
    proc = subprocess.run([sys.executable, "-m", "compat", "--settings", settings], cwd=ROOT, capture_output=True,
                          text=True, timeout=WAIT)
    assert proc.returncode == 2 and f"--settings: {message}" in proc.stderr
