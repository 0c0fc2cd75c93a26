"""A throw-away Redis: `redis-server` on a free loopback port, off the disk, stopped for sure.

Started with `--save "" --appendonly no --bind 127.0.0.1 --port P` (its output and working
directory in a private temporary directory), ready when it answers PING within a bound, stopped
with SIGTERM then SIGKILL. It keeps its port across `restart()`, so clients that lost it find it
again (fault tests). The calls block (they are quick); async code runs them with
`asyncio.to_thread`.

It runs in a session of its own (a terminal's Ctrl-C reaches the harness, which stops it), so a
harness killed outright leaves it behind. Its directory is named after the process that started
it; the next `RedisServer` stops every one whose starter is gone (`stop_orphans`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psutil
import redis

from harness.errors import TargetError
from harness.serving.ready import free_port, port_taken
from harness.serving.tail import file_tail

BINARY = "redis-server"
LOOPBACK = "127.0.0.1"
START_ATTEMPTS = 3  # fresh ports tried when the one picked was taken meanwhile
WORKDIR_PREFIX = "wsgm-redis-"  # then the pid of the process that started it


def _started_here(process: psutil.Process) -> tuple[int, Path] | None:
    """For a redis-server this module started (it runs in its `--dir`, and names itself by its
    address only): the pid of its starter and its directory."""
    try:
        if process.name() != BINARY:
            return None
        folder = Path(process.cwd())
    except psutil.Error:
        return None
    match = re.fullmatch(rf"{re.escape(WORKDIR_PREFIX)}(\d+)-.*", folder.name)
    return (int(match.group(1)), folder) if match else None


def _gone(pid: int, since: float) -> bool:
    """True when process `pid` no longer exists (or the pid now names a younger process)."""
    try:
        return psutil.Process(pid).create_time() > since
    except psutil.NoSuchProcess:
        return True


def stop_orphans() -> list[int]:
    """SIGKILL the redis-servers started here by processes that have since died (a test run or
    gate killed outright) and remove their directories; the pids stopped."""
    stopped = []
    for process in psutil.process_iter(["create_time"]):
        found = _started_here(process)
        if found is None or not _gone(found[0], process.info["create_time"]):
            continue
        with contextlib.suppress(psutil.Error):
            process.kill()
            stopped.append(process.pid)
            process.wait(2)  # its new parent reaps it; a zombie left unreaped holds nothing
        shutil.rmtree(found[1], ignore_errors=True)
    return stopped


def redis_binary() -> str | None:
    """The path of `redis-server`, or None when it is not installed."""
    return shutil.which(BINARY)


def answers_ping(url: str, timeout: float = 1.0) -> bool:
    """True when a Redis at `url` answers PING within `timeout` seconds."""
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


class RedisServer:
    """One `redis-server` process on `port` (a free one when None). `start()` waits (at most
    `timeout` seconds) for PING; `stop()` waits at most `grace` seconds before SIGKILL."""

    def __init__(self, port: int | None = None, *, timeout: float = 10.0, grace: float = 2.0) -> None:
        binary = redis_binary()
        if binary is None:
            raise TargetError(f"{BINARY} not found on PATH (install Debian's redis-server package)")
        self.binary = binary
        self.fixed_port = port
        self.port = port or 0
        self.timeout = timeout
        self.grace = grace
        stop_orphans()
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """`redis://127.0.0.1:PORT/0`."""
        return f"redis://{LOOPBACK}:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def log(self) -> Path:
        return self.workdir / "redis.log"

    def argv(self) -> list[str]:
        return [
            self.binary, "--port", str(self.port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no",
            "--dir", str(self.workdir), "--daemonize", "no",
        ]

    def start(self) -> RedisServer:
        """Start it (on its port, or a fresh free one) and wait for PING; TargetError with the
        log's tail when it exits or does not answer in time."""
        if self.running:
            return self
        attempts = 1 if self.fixed_port else START_ATTEMPTS
        for attempt in range(attempts):
            if not self.fixed_port and (attempt or not self.port):
                self.port = free_port(LOOPBACK)
            problem = self._launch()
            if problem is None:
                return self
            self.stop()
        raise TargetError(f"{BINARY} on port {self.port}: {problem}{file_tail(self.log).render()}")

    def _launch(self) -> str | None:
        if port_taken(LOOPBACK, self.port):
            return f"port {self.port} is taken"
        with self.log.open("wb") as output:  # this launch's log and any startup error, for the tail
            self.process = subprocess.Popen(
                self.argv(), stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self._wait_ready()

    def _wait_ready(self) -> str | None:
        deadline = time.monotonic() + self.timeout
        pause = 0.005
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"exited with code {self.process.returncode} (before it was ready)"
            if answers_ping(self.url, min(1.0, self.timeout)):
                return None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
        return f"no answer to PING after {self.timeout:g} s"

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds; safe to call when it is not running."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(self.grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(self.grace)

    def kill(self) -> None:
        """SIGKILL at once (a crash, for fault tests)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(self.grace)
        self.process = None

    def restart(self) -> RedisServer:
        """Stop it and start it again on the same port, empty (nothing is saved)."""
        self.stop()
        self.fixed_port = self.port
        return self.start()

    def flush(self) -> None:
        """FLUSHALL (every database)."""
        client = redis.Redis.from_url(self.url, socket_timeout=self.timeout)
        try:
            client.flushall()
        finally:
            client.close()

    def close(self) -> None:
        """Stop it and remove its working directory."""
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def redis_server(port: int | None = None, timeout: float = 10.0):
    """A started RedisServer for the block, always stopped and cleaned up."""
    server = RedisServer(port, timeout=timeout)
    with server:
        yield server
