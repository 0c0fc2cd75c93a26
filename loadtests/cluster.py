"""The refactored server in memory, on Redis, and as two instances on one Redis: side by side in one
run, bounded in count and time.

    python -m loadtests.cluster --json reports/perf/cluster.json

Deployments (`--deployments`): ``memory-1`` (one instance, in-memory backends: the default),
``redis-1`` (one instance on Redis), ``redis-2`` (two instances on one Redis, which clients see as
one server). Each instance is a process of its own (``loadtests.cluster_instance``); the Redis is
a ``redis-server`` started for the run (harness.serving.redis), or ``--redis-url``. Every phase
gets fresh instances (and a namespace of its own on Redis); clients are spread over the
instances in turn.

Phases, each for every deployment:
- ``held``: N connections (``--connections``) held while each sends one ``ping`` during a
  heartbeat period (``--window``), staggered (loadtests.capacity's client processes, one per
  instance): connected, answered, p50/p99 round trip, the instances' memory;
- ``broadcast``: S subscribers (``--subscribers``, 100 and 1000) in subscriber processes
  (benchmarks.fanout, one per instance); ``broadcast_to_subscribers`` on instance 0, ``--rounds``
  times: from the call until the last subscriber has the frame, and the time inside the call;
- ``requests``: C clients × R requests (``--clients`` 1000 × ``--requests`` 100, all at once, one
  request at a time per client, every reply checked by its request_id) from this process:
  replies per second, p50/p99, and the CPU time of the instances and of Redis per reply.
The cost Redis adds is read from ``memory-1`` against ``redis-1``: CPU per reply, broadcast time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import secrets
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

import psutil

from benchmarks.latency import percentiles
from benchmarks.targets import raise_fd_limit
from harness.serving.redis import RedisServer
from loadtests import capacity
from loadtests.requests import ANSWERED, run_load

ROOT = Path(__file__).resolve().parent.parent
DEPLOYMENTS = {"memory-1": (1, False), "redis-1": (1, True), "redis-2": (2, True)}
TARGET = "refactored"
START_TIMEOUT = 30.0
FRAME_TIMEOUT = 30.0
WARMUP = 2  # broadcasts not counted
def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            total += psutil.Process(pid).memory_info().rss
    return round(total / 2**20, 1)


class Instance:
    """One ``loadtests.cluster_instance`` process: started, commanded, always stopped."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "loadtests.cluster_instance", TARGET, json.dumps(self.settings),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        line = (await asyncio.wait_for(self.proc.stdout.readline(), START_TIMEOUT)).decode()
        if not line.startswith("listening "):
            raise RuntimeError(f"instance did not start: {line!r}")
        self.url = line.split()[1]

    async def command(self, line: str) -> dict:
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()
        return json.loads(await asyncio.wait_for(self.proc.stdout.readline(), FRAME_TIMEOUT))

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(Exception):
            self.proc.stdin.write(b"stop\n")
            await self.proc.stdin.drain()
        try:
            await asyncio.wait_for(self.proc.wait(), 40)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()


@dataclass
class Deployment:
    name: str
    instances: list[Instance]
    redis_pid: int | None

    @property
    def urls(self) -> list[str]:
        return [i.url for i in self.instances]

    @property
    def pids(self) -> list[int]:
        return [i.proc.pid for i in self.instances]

    def redis_cpu(self) -> float:
        return cpu_seconds([self.redis_pid]) if self.redis_pid else 0.0


@contextlib.asynccontextmanager
async def deployment(name: str, redis: RedisServer | None, redis_url: str) -> AsyncIterator[Deployment]:
    """Fresh instances of one deployment (a namespace of their own on Redis); always stopped."""
    count, on_redis = DEPLOYMENTS[name]
    settings = {"redis_url": redis_url, "redis_namespace": "load-" + secrets.token_hex(6)} if on_redis else {}
    instances = [Instance(settings) for _ in range(count)]
    try:
        for instance in instances:
            await instance.start()
        pid = redis.process.pid if (on_redis and redis is not None and redis.process) else None
        yield Deployment(name, instances, pid)
    finally:
        await asyncio.gather(*(i.stop() for i in instances))


def spread(total: int, parts: int) -> list[int]:
    """`total` split over `parts` as evenly as possible (the first ones get the remainder)."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


# -- held connections --------------------------------------------------------------------

def held(dep: Deployment, connections: int, window: float, connect_budget: float) -> dict:
    """N connections spread over the instances, one staggered ping each during `window`."""
    counts = spread(connections, len(dep.urls))
    firsts = [sum(counts[:i]) for i in range(len(counts))]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(counts) + 1)
        with ctx.Pool(len(counts)) as pool:
            jobs = pool.map_async(capacity._client_main, [
                (url, first, count, connections, window, connect_budget, barrier)
                for url, first, count in zip(dep.urls, firsts, counts)])
            barrier.wait(connect_budget + 120)
            cpu = cpu_seconds(dep.pids)
            memory = rss_mb(dep.pids)
            results = jobs.get(window + connect_budget + 120)
    step = capacity._judge(capacity.Step(dep.name, connections), results, 100.0)
    return {"connections": connections, "connected": step.connected, "answered": step.answered,
            "connect_s": step.connect_seconds, "p50_ms": step.percentiles_ms.get("p50"),
            "p99_ms": step.percentiles_ms.get("p99"), "max_ms": step.max_ms, "instances_rss_mb": memory,
            "instances_cpu_s_in_window": round(cpu_seconds(dep.pids) - cpu, 2), "failures": step.failures[:3],
            "passed": step.passed}


# -- broadcast ----------------------------------------------------------------------------

async def _subscriber_process(url: str, count: int) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.fanout", url, str(count), stdout=asyncio.subprocess.PIPE,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    ready = (await asyncio.wait_for(proc.stdout.readline(), 120)).decode().strip()
    if ready != "ready":
        raise RuntimeError(f"subscriber process said {ready!r}")
    return proc


async def _last_receipt(procs: list, seq: int) -> float:
    times = []
    for proc in procs:
        got, last = (await asyncio.wait_for(proc.stdout.readline(), FRAME_TIMEOUT)).decode().split()
        if int(got) != seq:
            raise RuntimeError(f"subscribers reported {got}, expected {seq}")
        times.append(float(last))
    return max(times)


async def broadcast(dep: Deployment, subscribers: int, rounds: int) -> dict:
    """`rounds` broadcasts on instance 0 to `subscribers` spread over the instances."""
    procs = []
    try:
        for url, count in zip(dep.urls, spread(subscribers, len(dep.urls))):
            procs.append(await _subscriber_process(url, count))
        totals, calls = [], []
        for seq in range(1, rounds + WARMUP + 1):
            answer = await dep.instances[0].command(f"broadcast {seq}")
            if answer["reached"] != subscribers:
                raise RuntimeError(f"{dep.name}: broadcast reached {answer['reached']} of {subscribers}")
            last = await _last_receipt(procs, seq)
            if seq > WARMUP:
                totals.append(last - answer["start"])
                calls.append(answer["call"])
        return {"subscribers": subscribers, "rounds": rounds, "median_ms": _ms(statistics.median(totals)),
                "p90_ms": percentiles(totals, (90,))["p90"], "call_median_ms": _ms(statistics.median(calls))}
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), 30)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


# -- requests ---------------------------------------------------------------------------

async def requests_load(dep: Deployment, clients: int, requests: int) -> dict:
    """`clients` × `requests` at once, clients spread over the instances in turn."""
    cpu, redis_cpu = cpu_seconds(dep.pids), dep.redis_cpu()
    load = await run_load(dep.urls, clients, requests, timeout=FRAME_TIMEOUT, mix=ANSWERED)
    server_cpu, redis_used = cpu_seconds(dep.pids) - cpu, dep.redis_cpu() - redis_cpu
    replies = max(load.replies, 1)
    figures = percentiles(load.latencies or [0.0], (50, 99))
    return {"clients": clients, "requests": requests, "replies": load.replies, "wall_s": round(load.wall, 2),
            "replies_per_s": round(load.replies / load.wall, 1), "p50_ms": figures["p50"], "p99_ms": figures["p99"],
            "instances_cpu_us_per_reply": round(server_cpu / replies * 1e6, 1),
            "redis_cpu_us_per_reply": round(redis_used / replies * 1e6, 1), "problems": load.problems[:3]}


# -- the run ----------------------------------------------------------------------------

def machine() -> dict:
    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


async def run(args: argparse.Namespace, redis: RedisServer | None, redis_url: str) -> dict:
    report: dict = {"start": machine(), "settings": vars(args) | {"json": str(args.json)}, "phases": {}}

    async def each(phase: str, measure) -> None:
        for name in args.deployments:
            async with deployment(name, redis, redis_url) as dep:
                figures = await measure(dep)
            report["phases"].setdefault(phase, {}).setdefault(name, []).append(figures)
            print(f"{phase:>10} {name:>9}: {json.dumps(figures)}", flush=True)

    if args.connections:
        await each("held", lambda dep: asyncio.to_thread(held, dep, args.connections, args.window,
                                                          args.connect_budget))
    for subscribers in args.subscribers:
        await each(f"broadcast_{subscribers}", lambda dep, n=subscribers: broadcast(dep, n, args.rounds))
    if args.clients:
        await each("requests", lambda dep: requests_load(dep, args.clients, args.requests))
    report["end"] = machine()
    report["redis_cost"] = redis_cost(report["phases"])
    return report


def redis_cost(phases: dict) -> dict:
    """What Redis adds, one instance on Redis against one in memory."""
    out = {}
    for phase, by_name in phases.items():
        memory, redis = by_name.get("memory-1"), by_name.get("redis-1")
        if not (memory and redis):
            continue
        if phase.startswith("broadcast"):
            out[phase] = {"added_ms": round(redis[0]["median_ms"] - memory[0]["median_ms"], 3),
                          "added_call_ms": round(redis[0]["call_median_ms"] - memory[0]["call_median_ms"], 3)}
        elif phase == "requests":
            added = redis[0]["instances_cpu_us_per_reply"] + redis[0]["redis_cpu_us_per_reply"]
            out[phase] = {"added_cpu_us_per_reply": round(added - memory[0]["instances_cpu_us_per_reply"], 1)}
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loadtests.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", nargs="+", choices=sorted(DEPLOYMENTS), default=list(DEPLOYMENTS))
    parser.add_argument("--connections", type=int, default=8000, help="held connections (0: skip)")
    parser.add_argument("--window", type=float, default=30.0, help="seconds over which the held connections ping")
    parser.add_argument("--connect-budget", type=float, default=120.0)
    parser.add_argument("--subscribers", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=20, help="broadcasts measured per deployment and size")
    parser.add_argument("--clients", type=int, default=1000, help="request-load clients (0: skip)")
    parser.add_argument("--requests", type=int, default=100, help="requests per client")
    parser.add_argument("--redis-url", default="", help="a Redis to use (default: a redis-server started for the run)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    raise_fd_limit()
    redis = None if args.redis_url else RedisServer().start()
    try:
        report = asyncio.run(run(args, redis, args.redis_url or redis.url))
    finally:
        if redis is not None:
            redis.close()
    print(json.dumps(report["redis_cost"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
