"""The timed work: round trips, pipelined throughput and broadcast fan-out."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Awaitable, Callable

from harness.gates.bench.rig import STREAM, SYMBOL, Rig, recv_json
from harness.gates.result import GateError

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
class Workload:
    """A named piece of work; ``unit`` names what ``n`` counts."""

    name: str
    run: Callable[[Rig, int], Awaitable[None]]
    unit: str


WORKLOADS = (
    Workload("round_trips", round_trips, "request/response"),
    Workload("pipelined", pipelined, "message"),
    Workload("fan_out", fan_out, "broadcast"),
)
