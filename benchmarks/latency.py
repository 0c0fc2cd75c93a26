"""Per-request latency samples (for the distribution plot), interleaved across servers."""

from __future__ import annotations

import gc
import math
import json
import time

from subject_trading.rig import Rig, recv_json

from benchmarks.interleave import orders

REQUESTS = {
    "ping": (json.dumps({"type": "ping", "id": 1}),),
    "login": (json.dumps({"type": "login", "id": 1, "username": "viewer", "password": "viewer123"}),),
    "subscribe": (json.dumps({"type": "subscribe", "id": 2, "stream": "indicators"}),
                  json.dumps({"type": "unsubscribe", "id": 3, "stream": "indicators"})),
}


async def _chunk(rig: Rig, frames: tuple[str, ...], count: int) -> list[float]:
    ws = rig.clients[0]
    out = []
    for _ in range(count):
        for text in frames:
            start = time.perf_counter()
            await ws.send(text)
            await recv_json(ws)
            out.append(time.perf_counter() - start)
    return out


async def sample(rigs: dict[str, Rig], request: str, chunks: int = 20, per_chunk: int = 50) -> dict[str, list[float]]:
    """``chunks * per_chunk`` latencies (seconds) per server; chunks alternate between servers."""
    samples: dict[str, list[float]] = {name: [] for name in rigs}
    cycle = orders(list(rigs))
    for index in range(chunks):
        for name in cycle[index % len(cycle)]:
            gc.collect()
            gc.disable()
            try:
                samples[name].extend(await _chunk(rigs[name], REQUESTS[request], per_chunk))
            finally:
                gc.enable()
    return samples


def percentiles(values: list[float], points=(50, 90, 99, 99.9)) -> dict[str, float]:
    """Percentiles in milliseconds (nearest-rank)."""
    ordered = sorted(values)
    out = {}
    for p in points:
        index = min(len(ordered) - 1, max(0, math.ceil(p * len(ordered) / 100 - 1e-9) - 1))
        out[f"p{p:g}"] = round(ordered[index] * 1000, 4)
    return out
