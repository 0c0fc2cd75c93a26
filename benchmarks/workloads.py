"""What the benchmarks time. Round trips, pipelining and fan-out come from the bench gate."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Awaitable, Callable

from subject_trading.rig import Rig, recv_json
from subject_trading.workloads import fan_out, pipelined, round_trips

LOGIN = json.dumps({"type": "login", "id": 1, "username": "viewer", "password": "viewer123"})
SUBSCRIBE = json.dumps({"type": "subscribe", "id": 2, "stream": "indicators", "symbols": ["ETH_USDT"]})
UNSUBSCRIBE = json.dumps({"type": "unsubscribe", "id": 3, "stream": "indicators"})
PING = json.dumps({"type": "ping", "id": 1})
CONCURRENT = 100


async def _exchange(rig: Rig, n: int, frames: tuple[str, ...]) -> None:
    ws = rig.clients[0]
    for _ in range(n):
        for text in frames:
            await ws.send(text)
            await recv_json(ws)


async def logins(rig: Rig, n: int) -> None:
    """``n`` login requests (password, JWT issued), one at a time."""
    await _exchange(rig, n, (LOGIN,))


async def subscriptions(rig: Rig, n: int) -> None:
    """``n`` subscribe + unsubscribe pairs, one request at a time."""
    await _exchange(rig, n, (SUBSCRIBE, UNSUBSCRIBE))


async def _ping_once(ws) -> None:
    await ws.send(PING)
    await recv_json(ws)


async def concurrent(rig: Rig, n: int) -> None:
    """``n`` waves: each of the first 100 clients sends a ping at once and awaits its pong."""
    clients = rig.clients[:CONCURRENT]
    for _ in range(n):
        await asyncio.gather(*(_ping_once(ws) for ws in clients))


@dataclass(frozen=True)
class Workload:
    """A named piece of work; ``unit`` names what one iteration is, ``per_iteration`` messages."""

    name: str
    run: Callable[[Rig, int], Awaitable[object]]
    unit: str
    per_iteration: int = 1


PING_RT = Workload("ping_round_trip", round_trips, "request/response")
LOGIN_RT = Workload("login_round_trip", logins, "request/response")
SUBSCRIBE_RT = Workload("subscribe_round_trip", subscriptions, "subscribe+unsubscribe (2 round trips)", 2)
PIPELINED = Workload("pipelined", pipelined, "message")
CONCURRENT_100 = Workload("concurrent_100", concurrent, "wave of 100 pings on 100 connections", CONCURRENT)
BROADCAST_100 = Workload("broadcast_100", fan_out, "broadcast to 100 subscribers, until the last has it")
BROADCAST_1000 = Workload("broadcast_1000", fan_out, "broadcast to 1000 subscribers, until the last has it")

SOCKET_WORKLOADS = (PING_RT, LOGIN_RT, SUBSCRIBE_RT, PIPELINED, CONCURRENT_100, BROADCAST_100)
