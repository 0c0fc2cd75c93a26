"""Load-test machinery: a server class run in a child process (the clients: loadtests.requests)."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

SERVE = Path(__file__).resolve().parent / "serve_target.py"
LOAD_SETTINGS = {"rate_limit": 10 ** 9, "bar_interval": 0.01}


def raise_nofile(wanted: int = 65536) -> int:
    """Raise the soft RLIMIT_NOFILE as far as allowed; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


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
