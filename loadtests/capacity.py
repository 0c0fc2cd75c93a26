"""How many idle-but-alive connections a server holds: a bounded, stepped search on loopback.

For each step N (default 500, 1000, 2000, 4000, 8000, 16000, 19000) a fresh server runs in
its own process (``loadtests.serve``, keepalive ping every 30 s); client processes open N
connections (in batches), then, during one heartbeat period (``--window``, 30 s), every
connection sends one ``ping`` at a staggered offset and times its ``pong``. A step passes when
every connection was accepted and answered and the p99 round trip is under ``--p99`` ms (100).
The search stops at the first failing step; the answer is the largest passing N. Each step is
bounded in time (connect budget + window + teardown). The process file limit (RLIMIT_NOFILE)
is raised as far as the hard limit allows; N is capped below it.

    python -m loadtests.capacity --targets legacy refactored --json reports/perf/capacity.json
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import multiprocessing
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

from benchmarks.latency import percentiles
from benchmarks.targets import raise_fd_limit

ROOT = Path(__file__).resolve().parent.parent
PING = '{"type": "ping", "id": 1}'
DEFAULT_STEPS = (500, 1000, 2000, 4000, 8000, 16000, 19000)
PER_WORKER = 19000  # one client process: two of them plus the server overload two cores
BATCH = 100
FD_MARGIN = 200


@dataclass
class Step:
    """One step's outcome."""

    target: str
    connections: int
    connected: int = 0
    connect_seconds: float = 0.0
    answered: int = 0
    failures: list[str] = field(default_factory=list)
    percentiles_ms: dict[str, float] = field(default_factory=dict)
    server_rss_mb: float = 0.0
    server_cpu_seconds: float = 0.0
    max_ms: float = 0.0
    passed: bool = False

    def summary(self) -> str:
        verdict = "pass" if self.passed else "FAIL"
        return (f"{self.target:>10} {self.connections:>6} conns: {verdict} connected {self.connected} in "
                f"{self.connect_seconds:.1f}s, answered {self.answered}, {self.percentiles_ms}, "
                f"server RSS {self.server_rss_mb:.0f} MB, CPU {self.server_cpu_seconds:.2f}s"
                + (f", failures: {self.failures[:3]}" if self.failures else ""))


# -- the server process ---------------------------------------------------------------

class ServerProcess:
    """``python -m loadtests.serve TARGET --port 0`` in a child process; always stopped."""

    def __init__(self, target: str, heartbeat: float, gc_mode: str = "default") -> None:
        self.target, self.heartbeat, self.gc_mode = target, heartbeat, gc_mode
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> "ServerProcess":
        command = [sys.executable, "-m", "loadtests.serve", self.target, "--port", "0",
                   "--heartbeat", str(self.heartbeat), "--max-connections", "1000000", "--gc", self.gc_mode]
        self.proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline and not line.startswith("listening"):
            line = self.proc.stdout.readline()
            if not line and self.proc.poll() is not None:
                raise RuntimeError(f"{self.target}: server exited with {self.proc.returncode}")
        self.url = line.split()[1]
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(2)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- client processes -------------------------------------------------------------------

async def _open(url: str, timeout: float):
    ws = await connect(url, proxy=None, compression=None, ping_interval=None, open_timeout=timeout, max_size=None)
    await asyncio.wait_for(ws.recv(), timeout)  # the welcome
    return ws


async def _open_all(url: str, count: int, deadline: float) -> tuple[list, list[str]]:
    opened, failures = [], []
    while len(opened) + len(failures) < count and time.monotonic() < deadline:
        batch = min(BATCH, count - len(opened) - len(failures))
        results = await asyncio.gather(*(_open(url, 10) for _ in range(batch)), return_exceptions=True)
        opened += [r for r in results if not isinstance(r, BaseException)]
        failures += [f"connect: {r!r}"[:120] for r in results if isinstance(r, BaseException)]
    return opened, failures


async def _heartbeat(ws, offset: float, out: list[float], failures: list[str]) -> None:
    await asyncio.sleep(offset)
    start = time.perf_counter()
    try:
        await ws.send(PING)
        await asyncio.wait_for(ws.recv(), 5)
        out.append((time.perf_counter() - start) * 1000)
    except Exception as exc:  # a closed or silent connection is a failure of the step
        failures.append(f"ping: {exc!r}"[:120])


async def _client_run(url: str, first: int, count: int, total: int, window: float,
                      connect_budget: float, barrier) -> dict:
    started = time.monotonic()
    opened, failures = await _open_all(url, count, started + connect_budget)
    connect_seconds = time.monotonic() - started
    gc.collect()
    gc.freeze()  # the measuring client's own collections must not show up as server latency
    await asyncio.get_running_loop().run_in_executor(None, barrier.wait, connect_budget + 60)
    samples: list[float] = []
    await asyncio.gather(*(_heartbeat(ws, (first + i) / total * window, samples, failures)
                           for i, ws in enumerate(opened)))
    await asyncio.gather(*(ws.close() for ws in opened), return_exceptions=True)
    return {"connected": len(opened), "connect_seconds": connect_seconds, "samples": samples, "failures": failures}


def _client_main(args: tuple) -> dict:
    raise_fd_limit()
    return asyncio.run(_client_run(*args))


# -- the search -------------------------------------------------------------------------

def _shares(n: int, per_worker: int = PER_WORKER) -> list[tuple[int, int]]:
    """(first index, count) per client process, at most ``per_worker`` connections each."""
    workers = max(1, math.ceil(n / per_worker))
    counts = [n // workers + (1 if i < n % workers else 0) for i in range(workers)]
    return [(sum(counts[:i]), c) for i, c in enumerate(counts)]


def _judge(step: Step, results: list[dict], p99_ms: float) -> Step:
    samples = [s for r in results for s in r["samples"]]
    step.connected = sum(r["connected"] for r in results)
    step.connect_seconds = round(max(r["connect_seconds"] for r in results), 2)
    step.failures = [f for r in results for f in r["failures"]]
    step.answered = len(samples)
    step.percentiles_ms = percentiles([s / 1000 for s in samples]) if samples else {}
    step.max_ms = round(max(samples, default=0.0), 3)
    step.passed = _passed(step, p99_ms)
    return step


def _passed(step: Step, p99_ms: float) -> bool:
    """Every connection accepted and answered, nothing failed, p99 under the limit."""
    complete = step.connected == step.answered == step.connections and not step.failures
    return complete and step.percentiles_ms.get("p99", math.inf) < p99_ms


def run_step(target: str, n: int, window: float, p99_ms: float, heartbeat: float, connect_budget: float,
             gc_mode: str = "default", per_worker: int = PER_WORKER) -> Step:
    """One bounded step: fresh server, N connections, one heartbeat period of pings."""
    step = Step(target, n)
    shares = _shares(n, per_worker)
    ctx = multiprocessing.get_context("spawn")
    with ServerProcess(target, heartbeat, gc_mode) as server, ctx.Manager() as manager:
        barrier = manager.Barrier(len(shares) + 1)
        with ctx.Pool(len(shares)) as pool:
            jobs = pool.map_async(_client_main, [(server.url, first, count, n, window, connect_budget, barrier)
                                                 for first, count in shares])
            barrier.wait(connect_budget + 120)
            cpu = server.cpu_seconds()
            results = jobs.get(window + connect_budget + 120)
        step.server_cpu_seconds = round(server.cpu_seconds() - cpu, 2)
        step.server_rss_mb = round(server.rss_mb(), 1)
    return _judge(step, results, p99_ms)


def search(target: str, steps: list[int], window: float, p99_ms: float, heartbeat: float,
           connect_budget: float, log=print, gc_mode: str = "default", refine: int = 0,
           per_worker: int = PER_WORKER) -> tuple[int, list[Step]]:
    """Largest passing N (0 when the first step fails) and every step run.

    Steps run in order until one fails; then ``refine`` bisections between the last passing
    and the first failing N narrow the answer.
    """
    done: list[Step] = []
    best, failed = 0, None

    def attempt(n: int) -> bool:
        step = run_step(target, n, window, p99_ms, heartbeat, connect_budget, gc_mode, per_worker)
        done.append(step)
        log(step.summary())
        return step.passed

    for n in steps:
        if not attempt(n):
            failed = n
            break
        best = n
    for _ in range(refine if failed is not None and best else 0):
        middle = (best + failed) // 2
        if middle in (best, failed):
            break
        if attempt(middle):
            best = middle
        else:
            failed = middle
    return best, done


def max_connections_allowed() -> int:
    return raise_fd_limit() - FD_MARGIN


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loadtests.capacity", description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=["legacy", "refactored"])
    parser.add_argument("--steps", default=",".join(map(str, DEFAULT_STEPS)), help="comma-separated connection counts")
    parser.add_argument("--window", type=float, default=30.0, help="heartbeat period measured per step (s)")
    parser.add_argument("--heartbeat", type=float, default=30.0, help="server keepalive interval (s)")
    parser.add_argument("--p99", type=float, default=100.0, help="p99 ping latency limit (ms)")
    parser.add_argument("--connect-budget", type=float, default=120.0, help="seconds allowed to open a step's connections")
    parser.add_argument("--json", type=Path, help="write the steps here")
    parser.add_argument("--per-client", type=int, default=PER_WORKER, help="connections per client process")
    parser.add_argument("--refine", type=int, default=1, help="bisections after the first failing step (default 1)")
    parser.add_argument("--server-gc", default="default", choices=("default", "freeze", "off"),
                        help="server process garbage collector (experiments; the reported figures use default)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ceiling = max_connections_allowed()
    steps = sorted({min(int(s), ceiling) for s in args.steps.split(",") if s.strip()})
    report: dict = {"ceiling_fd": ceiling, "window": args.window, "p99_limit_ms": args.p99,
                    "server_gc": args.server_gc, "targets": {}}
    for target in args.targets:
        best, done = search(target, steps, args.window, args.p99, args.heartbeat, args.connect_budget,
                            gc_mode=args.server_gc, refine=args.refine, per_worker=args.per_client)
        report["targets"][target] = {"max_connections": best, "limited_by_fd_ceiling": best == steps[-1],
                                     "first_failing": min((s.connections for s in done if not s.passed), default=None),
                                     "steps": [asdict(s) for s in done]}
        print(f"{target}: holds {best} connections (p99 < {args.p99:g} ms, heartbeat {args.heartbeat:g} s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
