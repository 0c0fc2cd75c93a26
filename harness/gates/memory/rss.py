"""Memory of a server in its own process (a `cmd:` or `asgi:` target): resident set growth.

memray can only track the process it runs in, so a server started as a process of its own is
measured from outside: the resident memory (psutil) of the process listening on the target's
port, after N replays and after 10N replays against that one process, each after the same
warm-up. (RSS(10N) − RSS(N)) / 9N is the growth per replay. RSS moves in pages and allocators
keep freed memory, so this figure is coarser than memray's retained bytes: a leak of a few
hundred bytes per replay shows only over many replays; a leak of kilobytes shows at once.

A process's allocators and caches grow to their working set over its first hundreds of replays
(the Python port of examples/chat: 1 MB over its first 100, 8 KB over its sixth 100), and that
growth is not a leak. So the warm-up is at least 10N replays, as long as the big run.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import psutil

from harness.config import HarnessConfig
from harness.gates.memory.session import Replayer, long_lived
from harness.gates.result import GateError

RSS_WARMUP_FACTOR = 10  # the warm-up is at least as long as the big run: see the module docstring


def listening_process(url: str) -> psutil.Process:
    """The process listening on the port of ``url`` (the server itself, not a wrapper shell)."""
    port = urlsplit(url).port
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port and connection.pid:
            return psutil.Process(connection.pid)
    raise GateError(f"memory: no process listens on {url}")


def resident(process: psutil.Process) -> int:
    """Resident bytes of the process."""
    return process.memory_info().rss


async def rss_growth(target: str, config: HarnessConfig, replays: int, warmup: int) -> tuple[dict, dict]:
    """The small (N replays) and big (10N replays) figures of one started process."""
    async with long_lived(target, config) as live:
        process = await asyncio.to_thread(listening_process, live.url)
        replayer = Replayer(live, config)
        await replayer.probe()
        await replayer.warm_up(max(warmup, RSS_WARMUP_FACTOR * replays))
        await replayer.replays(replays)
        small = resident(process)
        await replayer.replays(9 * replays)
        big = resident(process)
    replayed = {"recordings": [t.name for t in replayer.transcripts], "left_out": replayer.left_out}
    return {"retained_bytes": small, "peak_bytes": small, **replayed}, {"retained_bytes": big, "peak_bytes": big, **replayed}
