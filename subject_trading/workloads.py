"""The trading server's own timed work: round trips, pipelined requests and broadcast fan-out.

``FanOut`` is the bench gate's extra workload (the corpus cannot express a server-side
broadcast); the functions also serve the performance suite in ``benchmarks/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass
from typing import AsyncIterator, Awaitable, Callable

from harness.gates.bench.workloads import Workload
from harness.gates.result import GateError
from subject_trading.rig import STREAM, SYMBOL, Rig, recv_json, running_rig

PING = json.dumps({"type": "ping", "id": 1})


async def round_trips(rig: Rig, n: int) -> None:
    """``n`` ping/pong exchanges, one at a time, on one connection."""
    ws = rig.clients[0]
    for _ in range(n):
        await ws.send(PING)
        await recv_json(ws)


async def pipelined(rig: Rig, n: int) -> None:
    """``n`` pings sent back to back on one connection, then their ``n`` replies."""
    ws = rig.clients[0]
    for _ in range(n):
        await ws.send(PING)
    for _ in range(n):
        await recv_json(ws)


async def fan_out(rig: Rig, n: int) -> None:
    """``n`` broadcasts, each until the last subscribed client has its frame."""
    for i in range(n):
        sent = await rig.server.broadcast_to_subscribers(STREAM, {"symbol": SYMBOL, "price": 100.0, "seq": i})
        if sent != len(rig.clients):
            raise GateError(f"bench: broadcast reached {sent} of {len(rig.clients)} subscribers ({rig.name})")
        await asyncio.gather(*(recv_json(ws) for ws in rig.clients))


@dataclass(frozen=True)
class RigWorkload(Workload):
    """A bench workload (``harness.gates.bench.workloads.Workload``) on a rig of ``subscribers``
    logged-in clients; ``work`` is timed as a whole."""

    name: str
    unit: str
    work: Callable[[Rig, int], Awaitable[None]]
    subscribers: int

    @contextlib.asynccontextmanager
    async def rig(self, side: str, target: str) -> AsyncIterator[Rig]:
        async with running_rig(side, target, self.subscribers) as rig:
            yield rig

    async def run(self, rig: Rig, n: int) -> float:
        start = time.perf_counter()
        await self.work(rig, n)
        return time.perf_counter() - start


def fan_out_workload(subscribers: int) -> RigWorkload:
    """``broadcast_to_subscribers`` until the last of ``subscribers`` clients has the frame."""
    return RigWorkload("fan_out", "broadcast", fan_out, subscribers)
