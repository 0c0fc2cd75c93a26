"""Load-test machinery: many JSON clients, each sending requests with ids and checking every reply."""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

SERVE = Path(__file__).resolve().parent / "serve_target.py"
# Requests every server answers the same way, each with one reply carrying the request_id.
MIX = [
    lambda rid: {"type": "ping", "id": rid},
    lambda rid: {"type": "echo", "data": {"n": rid, "s": "x" * 32}, "id": rid},
    lambda rid: {"type": "heartbeat", "id": rid},
    lambda rid: {"type": "version", "id": rid},
    lambda rid: {"type": "server_time", "id": rid},
    lambda rid: {"type": "nope", "id": rid},
    lambda rid: {"id": rid},
]
LOAD_SETTINGS = {"rate_limit": 10 ** 9, "bar_interval": 0.01}


def raise_nofile(wanted: int = 65536) -> int:
    """Raise the soft RLIMIT_NOFILE as far as allowed; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@dataclass
class LoadResult:
    """What a load run saw."""

    clients: int
    requests: int
    wall: float = 0.0
    replies: int = 0
    latencies: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    connect_failures: int = 0

    @property
    def lost(self) -> int:
        return self.clients * self.requests - self.replies

    def figures(self) -> dict:
        lat = sorted(self.latencies) or [0.0]
        return {
            "clients": self.clients, "requests_per_client": self.requests, "replies": self.replies,
            "lost": self.lost, "wall_s": round(self.wall, 2),
            "replies_per_s": round(self.replies / self.wall, 1) if self.wall else 0.0,
            "p50_ms": round(statistics.median(lat) * 1000, 2),
            "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 2),
            "connect_failures": self.connect_failures,
        }


async def one_client(url: str, index: int, requests: int, result: LoadResult, gate: asyncio.Semaphore,
                     timeout: float) -> None:
    """Connect (handshakes limited by `gate`), send `requests` requests one after the other, check replies."""
    async with gate:
        try:
            ws = await connect(url, proxy=None, ping_interval=None, open_timeout=timeout, close_timeout=timeout,
                               compression=None)
        except Exception as exc:
            result.connect_failures += 1
            result.problems.append(f"client {index}: connect failed: {exc!r}")
            return
    try:
        welcome = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if welcome.get("status") != "connected":
            result.problems.append(f"client {index}: welcome {welcome}")
        for n in range(requests):
            rid = f"{index}:{n}"
            started = time.perf_counter()
            await ws.send(json.dumps(MIX[(index + n) % len(MIX)](rid)))
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            result.latencies.append(time.perf_counter() - started)
            if frame.get("request_id") != rid:
                result.problems.append(f"client {index}: expected request_id {rid}, got {frame}")
                return
            result.replies += 1
    except Exception as exc:
        result.problems.append(f"client {index}: {exc!r}")
    finally:
        await ws.close()


async def run_load(url: str, clients: int, requests: int, *, handshakes: int = 64,
                   timeout: float = 30.0) -> LoadResult:
    """Run `clients` concurrent clients of `requests` requests each against `url`."""
    result = LoadResult(clients, requests)
    gate = asyncio.Semaphore(handshakes)
    started = time.perf_counter()
    await asyncio.gather(*(one_client(url, i, requests, result, gate, timeout) for i in range(clients)))
    result.wall = time.perf_counter() - started
    return result


class ServerProcess:
    """A server class run in a child process (the second core), controlled over stdin/stdout."""

    def __init__(self, target: str, settings: dict, max_connections: int) -> None:
        self.args = [sys.executable, str(SERVE), target, json.dumps(settings), str(max_connections)]
        self.proc: asyncio.subprocess.Process | None = None
        self.port = 0

    async def __aenter__(self) -> "ServerProcess":
        self.proc = await asyncio.create_subprocess_exec(
            *self.args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, cwd=str(SERVE.parents[2]))
        line = await asyncio.wait_for(self.proc.stdout.readline(), 30)
        self.port = json.loads(line)["port"]
        return self

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    async def ask(self, command: str, timeout: float = 30) -> dict:
        self.proc.stdin.write(command.encode() + b"\n")
        await self.proc.stdin.drain()
        return json.loads(await asyncio.wait_for(self.proc.stdout.readline(), timeout))

    async def stats(self) -> dict:
        return (await self.ask("stats"))["stats"]

    async def settled_stats(self, timeout: float = 10) -> dict:
        """get_stats() once connections have drained (bounded)."""
        deadline = time.monotonic() + timeout
        stats = await self.stats()
        while stats["connections"]["total"] and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            stats = await self.stats()
        return stats

    async def __aexit__(self, *exc) -> None:
        try:
            await self.ask("stop", timeout=20)
            await asyncio.wait_for(self.proc.wait(), 20)
        except Exception:
            self.proc.kill()
            await self.proc.wait()

    async def log_problems(self) -> list[str]:
        """Stderr lines of the child that reveal unhandled failures (read after exit)."""
        text = (await self.proc.stderr.read()).decode("utf-8", "replace")
        return [line for line in text.splitlines()
                if any(m in line for m in ("Traceback", "ERROR", "CRITICAL", "never retrieved"))]
