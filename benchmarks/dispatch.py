"""Core dispatch with no socket: microseconds per message, interleaved with the legacy and echo.

- ``refactored``: ``Engine.receive`` on an in-memory connection (``refactored.driver``)
  plus the encoding of its replies: the whole sans-I/O core for one frame.
- ``legacy``: ``_handle_raw_message`` on a registered connection whose socket is a stub
  that keeps the text (the coroutine never suspends, so it is driven without a loop).
- ``echo``: ``json.loads`` + ``json.dumps`` (what the echo server does per frame).
- ``routing overhead``: refactored minus its unavoidable frame work for the same message
  (strict decode, timestamp, encode), measured in the same rounds.
"""

from __future__ import annotations

import gc
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from harness.gates.bench.timing import Spread

from benchmarks.echo_server import echo
from benchmarks.interleave import orders

MESSAGES = {
    "ping": [{"type": "ping", "id": 1}],
    "subscribe+unsubscribe": [{"type": "subscribe", "id": 2, "stream": "indicators", "symbols": ["ETH_USDT"]},
                              {"type": "unsubscribe", "id": 3, "stream": "indicators"}],
    "validate_strategy_config": [{"type": "validate_strategy_config", "id": 4, "strategy_name": "RSIStrategy",
                                  "config": {"period": 7, "oversold": 25.0}}],
}
LOGIN = {"type": "login", "id": 0, "username": "trader", "password": "trader123"}
SETTINGS = {"rate_limit": 10**9}


class _StubSocket:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.remote_address = ("127.0.0.1", 1)

    async def send(self, text: str) -> None:
        self.sent.append(text)


def _drive(coro: Any) -> None:
    try:
        coro.send(None)
    except StopIteration:
        return
    raise RuntimeError("legacy message handling suspended: it cannot be timed without a loop")


def legacy_core() -> Callable[[str], None]:
    from legacy.websocket_server import WebSocketAPIServer

    server = WebSocketAPIServer(settings=dict(SETTINGS), host="127.0.0.1", port=0)
    ws = _StubSocket()
    server._process_request(ws, None)
    conn = server.connections[server._pending_handshakes.pop(id(ws))]
    conn["state"] = "connected"

    def handle(text: str) -> None:
        _drive(server._handle_raw_message(conn, text))
        ws.sent.clear()

    handle(json.dumps(LOGIN))
    return handle


def refactored_core() -> tuple[Callable[[str], None], Callable[[str], None]]:
    from refactored.core.immediate import complete
    from refactored.core.messages import decode, encode
    from refactored.driver import MemoryDriver

    driver = MemoryDriver.build(dict(SETTINGS))
    client = driver.connect()
    engine, conn, clock = driver.engine, client.conn, driver.engine.app.clock
    client.send(LOGIN)

    def handle(text: str) -> None:
        encode(complete(engine.receive(conn, text)).reply)  # in memory, the engine never waits

    def frame_work(text: str) -> None:
        encode({"type": "pong", "timestamp": clock.iso(), "request_id": decode(text)["id"]})

    return handle, frame_work


def echo_core(text: str) -> None:
    echo(text)


@dataclass(frozen=True)
class DispatchResult:
    message: str
    per_message_us: dict[str, dict[str, float]]
    routing_overhead_us: float
    rounds: int
    raw_us: dict[str, list[float]]

    def to_dict(self) -> dict:
        return {"message": self.message, "per_message_us": self.per_message_us,
                "routing_overhead_us": round(self.routing_overhead_us, 3), "rounds": self.rounds}


def _round(handle: Callable[[str], None], texts: list[str], loops: int) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(loops):
            for text in texts:
                handle(text)
        return time.perf_counter() - start
    finally:
        gc.enable()


def _calibrate(handlers: dict[str, Callable[[str], None]], texts: list[str], min_round: float) -> int:
    loops = 1
    while min(_round(h, texts, loops) for h in handlers.values()) < min_round:
        loops *= 2
    return loops


def _overhead(times: dict[str, list[float]]) -> float:
    """Median over rounds of (refactored core - its frame work), µs; NaN when not measured."""
    if "refactored" not in times or "frame_work" not in times:
        return float("nan")
    return Spread.of([r - b for r, b in zip(times["refactored"], times["frame_work"])]).median


def measure_message(name: str, handlers: dict[str, Callable[[str], None]], rounds: int = 21,
                    min_round: float = 0.010) -> DispatchResult:
    """Interleaved rounds of every handler on the message sequence ``name``; µs per message."""
    texts = [json.dumps(m) for m in MESSAGES[name]]
    loops = _calibrate(handlers, texts, min_round)
    cycle = orders(list(handlers))
    times: dict[str, list[float]] = {k: [] for k in handlers}
    for index in range(rounds):
        for key in cycle[index % len(cycle)]:
            times[key].append(_round(handlers[key], texts, loops) / (loops * len(texts)) * 1e6)
    spreads = {k: Spread.of(v).to_dict(3) for k, v in times.items()}
    return DispatchResult(name, spreads, _overhead(times), rounds, times)


def all_handlers(include_refactored: bool = True) -> dict[str, Callable[[str], None]]:
    handlers: dict[str, Callable[[str], None]] = {"legacy": legacy_core(), "echo": echo_core}
    if include_refactored:
        handlers["refactored"], handlers["frame_work"] = refactored_core()
    return handlers


def measure_all(rounds: int = 21, include_refactored: bool = True) -> list[DispatchResult]:
    handlers = all_handlers(include_refactored)
    results = []
    for name in MESSAGES:
        chosen = handlers if name == "ping" else {k: v for k, v in handlers.items() if k != "frame_work"}
        results.append(measure_message(name, chosen, rounds))
    return results


if __name__ == "__main__":
    for result in measure_all():
        print(json.dumps(result.to_dict()))
