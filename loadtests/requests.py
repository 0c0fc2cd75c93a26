"""Request load: many JSON clients at once, each sending requests with ids one after the other
and checking every reply by its ``request_id``; clients are spread over the given URLs in turn."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from websockets.asyncio.client import connect

Request = Callable[[str], dict]
# Requests every server of the worked subject answers with success, each with one reply
# carrying the request_id ...
ANSWERED: tuple[Request, ...] = (
    lambda rid: {"type": "ping", "id": rid},
    lambda rid: {"type": "echo", "data": {"n": rid, "s": "x" * 32}, "id": rid},
    lambda rid: {"type": "heartbeat", "id": rid},
    lambda rid: {"type": "version", "id": rid},
    lambda rid: {"type": "server_time", "id": rid},
)
# ... and those plus two it refuses, with one error reply each.
WITH_ERRORS: tuple[Request, ...] = ANSWERED + (
    lambda rid: {"type": "nope", "id": rid},
    lambda rid: {"id": rid},
)


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
                     timeout: float, mix: Sequence[Request]) -> None:
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
            await ws.send(json.dumps(mix[(index + n) % len(mix)](rid)))
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


async def run_load(urls: str | Sequence[str], clients: int, requests: int, *, handshakes: int = 64,
                   timeout: float = 30.0, mix: Sequence[Request] = WITH_ERRORS) -> LoadResult:
    """Run `clients` concurrent clients of `requests` requests each, spread over `urls` in turn."""
    urls = [urls] if isinstance(urls, str) else list(urls)
    result = LoadResult(clients, requests)
    gate = asyncio.Semaphore(handshakes)
    started = time.perf_counter()
    await asyncio.gather(*(one_client(urls[i % len(urls)], i, requests, result, gate, timeout, mix)
                           for i in range(clients)))
    result.wall = time.perf_counter() - started
    return result
