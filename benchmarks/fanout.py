"""Broadcast fan-out with the subscribers in another process: the server's own fan-out time.

In ``broadcast_100``/``broadcast_1000`` (the bench gate's ``fan_out``) the subscribers share
the server's process and loop, so the time also holds the clients' reading of N frames.
Here N subscribers live in a child process (``python -m benchmarks.fanout URL N``) that
prints ``<seq> <perf_counter>`` when the last of them has frame ``seq``; ``perf_counter`` is
``CLOCK_MONOTONIC``, shared by every process on Linux, so the figure is
"time from the ``broadcast_to_subscribers`` call until the last subscriber has the frame".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

from subject_trading.rig import BENCH_SETTINGS, STREAM, SYMBOL
from harness.gates.targets import load_class

from benchmarks.targets import TARGETS, connect_clients, raise_fd_limit

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 120.0


@dataclass
class FanoutRig:
    """A server in this process and its subscribers' process."""

    name: str
    server: Any
    proc: asyncio.subprocess.Process
    subscribers: int
    seq: int = 0


async def _line(proc: asyncio.subprocess.Process, timeout: float) -> str:
    line = await asyncio.wait_for(proc.stdout.readline(), timeout)
    if not line:
        raise RuntimeError("subscriber process ended")
    return line.decode().strip()


async def broadcasts(rig: FanoutRig, n: int) -> float:
    """``n`` broadcasts, one at a time; returns the summed call-to-last-receipt seconds."""
    return (await _broadcast_times(rig, n))[1]


async def broadcast_calls(rig: FanoutRig, n: int) -> float:
    """``n`` broadcasts; returns the summed time inside ``broadcast_to_subscribers`` (server side)."""
    return (await _broadcast_times(rig, n))[0]


async def _broadcast_times(rig: FanoutRig, n: int) -> tuple[float, float]:
    calls = total = 0.0
    for _ in range(n):
        rig.seq += 1
        start = time.perf_counter()
        sent = await rig.server.broadcast_to_subscribers(STREAM, {"symbol": SYMBOL, "price": 100.0, "seq": rig.seq})
        calls += time.perf_counter() - start
        if sent != rig.subscribers:
            raise RuntimeError(f"{rig.name}: broadcast reached {sent} of {rig.subscribers}")
        seq, last = (await _line(rig.proc, 10)).split()
        if int(seq) != rig.seq:
            raise RuntimeError(f"{rig.name}: subscribers reported {seq}, expected {rig.seq}")
        total += float(last) - start
    return calls, total


@contextlib.asynccontextmanager
async def running_fanout(name: str, subscribers: int) -> AsyncIterator[FanoutRig]:
    """Server ``name`` here, ``subscribers`` clients in a child process; both always stopped."""
    server = load_class(TARGETS[name])(settings=dict(BENCH_SETTINGS), host="127.0.0.1", port=0,
                                       heartbeat_interval=3600, max_connections=subscribers + 100)
    await asyncio.wait_for(server.start(), 10)
    proc = None
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.fanout", f"ws://127.0.0.1:{server.port}/", str(subscribers),
            stdout=asyncio.subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        ready = await _line(proc, READY_TIMEOUT)
        if ready != "ready":
            raise RuntimeError(f"{name}: subscriber process said {ready!r}")
        yield FanoutRig(name, server, proc, subscribers)
    finally:
        if proc is not None and proc.returncode is None:
            proc.stdin is None or proc.stdin.close()
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 30)
        await asyncio.wait_for(server.stop(), 30)


# -- the subscriber process -------------------------------------------------------------

async def _subscribers(url: str, count: int) -> None:
    clients = await connect_clients(url, count, ("viewer", "viewer123"))
    counts: dict[int, int] = {}

    async def read(ws) -> None:
        async for text in ws:
            frame = json.loads(text)
            seq = frame.get("data", {}).get("seq") if isinstance(frame.get("data"), dict) else None
            if seq is None:
                continue
            counts[seq] = counts.get(seq, 0) + 1
            if counts[seq] == count:
                del counts[seq]
                sys.stdout.write(f"{seq} {time.perf_counter()}\n")
                sys.stdout.flush()

    print("ready", flush=True)
    await asyncio.gather(*(read(ws) for ws in clients), return_exceptions=True)


def main(argv: list[str]) -> None:
    raise_fd_limit()
    try:
        asyncio.run(_subscribers(argv[0], int(argv[1])))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
