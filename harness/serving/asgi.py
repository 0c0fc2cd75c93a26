"""The `asgi:module:app` / `asgi:module:factory()` target form: an ASGI app under uvicorn, fresh
for each run.

One fork server per app (harness.serving.asgi_fork) imports it once; each run is a child forked
from it, so module state starts as imported every time and never leaks between recordings. The
child is a session leader: stopping it is the same SIGTERM-then-SIGKILL of its group as `cmd:`.
The recording's settings reach it as `WSGM_SETTINGS` (a factory is called after they are set).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, AsyncIterator

import psutil

from harness.config import Timeouts
from harness.errors import TargetError
from harness.serving.process import stop_group
from harness.serving.ready import wait_ready
from harness.serving.tail import file_tail
from harness.targets import LOOPBACK, LiveTarget, TargetSpec, on_import_path


class ForkServer:
    """A running fork server of one app; `spawn()` is thread-safe (one request at a time)."""

    def __init__(self, target: TargetSpec, timeouts: Timeouts) -> None:
        self.target = target
        self.timeout = timeouts.start
        self.folder = Path(tempfile.mkdtemp(prefix="wsgm-asgi-"))
        self.count = itertools.count()
        self.lock = threading.Lock()
        on_import_path(target)
        command = [sys.executable, "-m", "harness.serving.asgi_fork", target.module, target.attr,
                   json.dumps(sys.path), str(timeouts.close)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, **dict(target.env)}, text=True, start_new_session=True, cwd=target.root,
        )
        answer = self._answer()
        if "error" in answer:
            self.close()
            raise TargetError(f"asgi:{target.value}: {answer['error']}")

    def _answer(self) -> dict[str, Any]:
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.close()
            raise TargetError(f"asgi:{self.target.value}: the fork server did not answer within {self.timeout:g} s")
        return json.loads(line)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def spawn(self, settings: dict[str, Any] | None) -> tuple[int, int, Path]:
        """Fork one child serving the app; its pid, port and log file."""
        log = self.folder / f"run-{next(self.count)}.log"
        with self.lock:
            self.process.stdin.write(json.dumps({"settings": settings or {}, "log": str(log)}) + "\n")
            self.process.stdin.flush()
            answer = self._answer()
        return answer["pid"], answer["port"], log

    def close(self) -> None:
        """End the fork server (EOF, then kill after a bound) and remove its logs."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_SERVERS: dict[tuple, ForkServer] = {}
_SERVERS_LOCK = threading.Lock()


def fork_server(target: TargetSpec, timeouts: Timeouts) -> ForkServer:
    """The fork server of `target` (started on first use, restarted if it died)."""
    key = (target.value, target.env, target.root)
    with _SERVERS_LOCK:
        server = _SERVERS.get(key)
        if server is None or not server.alive:
            server = _SERVERS[key] = ForkServer(target, timeouts)
        return server


@atexit.register
def close_fork_servers() -> None:
    """End every fork server (their children are stopped by the runs that started them)."""
    with _SERVERS_LOCK:
        for server in _SERVERS.values():
            server.close()
        _SERVERS.clear()


def check_app(target: TargetSpec) -> None:
    """TargetError (one line) when the app does not import or is not an ASGI callable."""
    fork_server(target, Timeouts())


def _gone(pid: int) -> str | None:
    try:
        status = psutil.Process(pid).status()
    except psutil.NoSuchProcess:
        return "exited"
    return "exited" if status == psutil.STATUS_ZOMBIE else None


@contextlib.asynccontextmanager
async def serve_asgi(
    target: TargetSpec, settings: dict[str, Any] | None, timeouts: Timeouts
) -> AsyncIterator[LiveTarget]:
    """A freshly forked child serving the app for one run; always stopped."""
    server = await asyncio.to_thread(fork_server, target, timeouts)
    pid, port, log = await asyncio.to_thread(server.spawn, settings)
    url = f"ws://{LOOPBACK}:{port}/"

    def error(reason: str) -> TargetError:
        return TargetError(f"asgi:{target.value}: {reason}{file_tail(log).render()}")

    try:
        reason = await wait_ready(url, timeouts.start, lambda: _gone(pid))
        if reason is not None:
            raise error(f"{reason} (before it was ready)")
        yield LiveTarget(url)
        died = _gone(pid)
        if died is not None:
            raise error(f"{died} during the run")
    finally:
        await stop_group(pid, timeouts.close)
        log.unlink(missing_ok=True)
