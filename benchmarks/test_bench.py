"""legacy / refactored / echo side by side, interleaved in one run (``tox -e bench``).

Each workload is measured once for all servers (rounds in rotating order, GC off inside
the timed part, rounds of at least 10 ms); each (workload, server) test then hands its
per-round timings to pytest-benchmark, so the usual table, ``--benchmark-json`` and
``--benchmark-save`` work, and puts the paired ratios in ``extra_info``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime

import pytest

from benchmarks import corpus_cpu, dispatch, latency
from benchmarks.fanout import broadcast_calls, broadcasts, running_fanout
from benchmarks.corpus import corpus_paths, corpus_rigs, replay_corpus, timer_bound
from benchmarks.interleave import Timings, interleave, measure
from benchmarks.targets import TARGETS, running_rig
from benchmarks.workloads import BROADCAST_1000, SOCKET_WORKLOADS, Workload

SERVERS = list(TARGETS)
CORPUS_ALL = Workload("corpus_replay", replay_corpus, "replay of the whole corpus (fresh server per recording)")
CORPUS_NOWAIT = Workload("corpus_replay_nowait", replay_corpus,
                         "replay of the recordings not paced by timers (no sleeps, no bars on a timer)")
CORPUS_ALL_ROUNDS = 5  # the full corpus is paced by its timers (several seconds a replay)
_cache: dict[str, Timings] = {}


async def _with_rigs(names: list[str], clients: int, job):
    async with contextlib.AsyncExitStack() as stack:
        rigs = {name: await stack.enter_async_context(running_rig(name, clients)) for name in names}
        return await job(rigs)


def _socket_timings(names: list[str], rounds: int) -> None:
    async def job(rigs):
        for workload in SOCKET_WORKLOADS:
            _cache[workload.name] = await measure(workload, rigs, rounds)
    asyncio.run(_with_rigs(names, 100, job))


def _broadcast_1000(names: list[str], rounds: int) -> None:
    async def job(rigs):
        _cache[BROADCAST_1000.name] = await measure(BROADCAST_1000, rigs, rounds)
    asyncio.run(_with_rigs(names, 1000, job))


def _corpus(names: list[str], rounds: int) -> None:
    from harness.corpus import load_transcripts

    paths = corpus_paths()
    nowait = [p for p, t in zip(paths, load_transcripts(paths)) if not timer_bound(t)]

    async def job():
        _cache[CORPUS_ALL.name] = await interleave(CORPUS_ALL, corpus_rigs(names, paths), CORPUS_ALL_ROUNDS, 1, warmup=1)
        if nowait:
            _cache[CORPUS_NOWAIT.name] = await interleave(CORPUS_NOWAIT, corpus_rigs(names, nowait), rounds, 1, warmup=1)
    asyncio.run(job())


FANOUT = {n: (Workload(f"fanout_{n}", broadcasts, f"broadcast to {n} subscribers in another process, until the last has it"),
              Workload(f"fanout_{n}_server_call", broadcast_calls, f"time inside broadcast_to_subscribers, {n} subscribers"))
          for n in (100, 1000)}


def _fanout(subscribers: int):
    def run(names: list[str], rounds: int) -> None:
        async def job():
            async with contextlib.AsyncExitStack() as stack:
                rigs = {n: await stack.enter_async_context(running_fanout(n, subscribers)) for n in names}
                for workload in FANOUT[subscribers]:
                    _cache[workload.name] = await interleave(workload, rigs, rounds, 10 if subscribers == 100 else 3)
        asyncio.run(job())
    return run


MEASURE = {w.name: _socket_timings for w in SOCKET_WORKLOADS}
MEASURE.update({w.name: _fanout(n) for n, pair in FANOUT.items() for w in pair})
MEASURE.update({BROADCAST_1000.name: _broadcast_1000, CORPUS_ALL.name: _corpus, CORPUS_NOWAIT.name: _corpus})


def _corpus_cpu(names: list[str], rounds: int) -> None:
    """The servers' own CPU time over the whole corpus, each server in its own process."""
    _cache[corpus_cpu.WORKLOAD] = corpus_cpu.measure(names, min(rounds, CORPUS_ALL_ROUNDS))


MEASURE[corpus_cpu.WORKLOAD] = _corpus_cpu
CORPUS_SERVERS = ("legacy", "refactored")


def _timings(workload: str, running: list[str], rounds: int) -> Timings:
    if workload not in _cache:
        names = [n for n in running if n in CORPUS_SERVERS] if workload.startswith("corpus") else running
        MEASURE[workload](names, rounds)
    if workload not in _cache:
        pytest.skip(f"{workload}: nothing to measure")
    return _cache[workload]


def _record(benchmark, timings: Timings, server: str, results: dict) -> None:
    benchmark._mode = "interleaved"  # timings come from the interleaved run, not the fixture's loop
    stats = benchmark._make_stats(timings.iterations)
    for seconds in timings.rounds[server]:
        stats.update(seconds)
    figures = timings.to_dict()
    benchmark.extra_info.update(unit=timings.unit, iterations=timings.iterations, time_ratios=figures["time_ratios"])
    figures["measured_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    results["workloads"][timings.workload] = figures


WORKLOAD_NAMES = ([w.name for w in SOCKET_WORKLOADS] + [BROADCAST_1000.name]
                  + [w.name for pair in FANOUT.values() for w in pair])


@pytest.mark.timeout(900)
@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("workload", WORKLOAD_NAMES)
def test_socket(benchmark, workload, server, servers, running_servers, perf_rounds, results):
    if servers[server]:
        pytest.skip(servers[server])
    benchmark.group = workload
    rounds = max(5, perf_rounds // 2) if "1000" in workload else perf_rounds
    _record(benchmark, _timings(workload, running_servers, rounds), server, results)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("server", CORPUS_SERVERS)
@pytest.mark.parametrize("workload", [CORPUS_ALL.name, CORPUS_NOWAIT.name, corpus_cpu.WORKLOAD])
def test_corpus(benchmark, workload, server, servers, running_servers, perf_rounds, results):
    if servers[server]:
        pytest.skip(servers[server])
    benchmark.group = workload
    timings = _timings(workload, running_servers, perf_rounds)
    _record(benchmark, timings, server, results)
    results["corpus"][workload] = [str(p) for p in corpus_paths()]


@pytest.mark.timeout(600)
def test_dispatch(benchmark, servers, perf_rounds, results):
    """Core dispatch alone, no socket: µs per message (refactored core, legacy, echo's JSON work)."""
    include = servers["refactored"] is None
    measured = dispatch.measure_all(perf_rounds, include_refactored=include)
    results["dispatch"] = [r.to_dict() for r in measured]
    ping = measured[0]
    benchmark.group = "dispatch"
    benchmark.extra_info.update(per_message_us=ping.per_message_us, routing_overhead_us=ping.routing_overhead_us)
    benchmark._mode = "interleaved"
    stats = benchmark._make_stats(1)
    for value in ping.raw_us["refactored" if include else "legacy"]:
        stats.update(value / 1e6)
    if not include:
        pytest.skip(f"refactored dispatch not measured: {servers['refactored']}")


@pytest.mark.timeout(600)
@pytest.mark.parametrize("request_kind", list(latency.REQUESTS))
def test_latency_distribution(request_kind, running_servers, perf_rounds, results):
    """Per-request latencies for the distribution plot (chunks interleaved between servers)."""
    async def job(rigs):
        return await latency.sample(rigs, request_kind, chunks=max(6, perf_rounds), per_chunk=50)
    samples = asyncio.run(_with_rigs(running_servers, 1, job))
    results["latency"][request_kind] = {
        name: {"percentiles_ms": latency.percentiles(values), "samples_ms": [round(v * 1000, 4) for v in values]}
        for name, values in samples.items()
    }
