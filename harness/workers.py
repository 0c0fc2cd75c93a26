"""Replaying many recordings at once: in this process, or spread over worker processes.

A replay mostly waits, so one event loop keeps several recordings in flight
(`concurrency`).  An in-process target runs in that same loop, though, so a
large corpus soon needs more than one core: it is then split into shards, one
per worker process (`python -m harness.workers`), each replaying its shard
with its share of the concurrency.  The longest recordings (by their recorded
length) are dealt first, each to the least loaded shard, so no worker is left
with the long tail.

A worker reads one pickled :class:`Assignment` on stdin and writes each
result as soon as it has it, length-prefixed and pickled, on what was its
stdout (anything the targets print goes to stderr).  A worker that dies or
goes silent fails only the recordings it had not yet reported.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import os
import pickle
import struct
import sys
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Sequence

from harness.serving.tail import OutputTail
from harness.transcript import Transcript

MIN_RECORDINGS_PER_WORKER = 16  # a worker costs ~0.3 s to start: worth it for a batch only
_HEADER = struct.Struct(">I")

Job = Callable[[Transcript], Awaitable[Any]]
Progress = Callable[[Any], None]
Failure = Callable[[Transcript, str], Any]


def worker_count(requested: int, recordings: int) -> int:
    """Worker processes for a run: `requested` (0: one per core), fewer for a small corpus."""
    cores = requested or os.cpu_count() or 1
    return max(1, min(cores, recordings // MIN_RECORDINGS_PER_WORKER))


def per_process(concurrency: int) -> int:
    """The share of `concurrency` for one event loop (one core's worth), as a worker has."""
    return max(1, math.ceil(concurrency / (os.cpu_count() or 1)))


def recorded_length(transcript: Transcript) -> float:
    """Seconds the recorded session lasted: how long its replay is expected to wait."""
    return max((event.t for event in transcript.events), default=0.0)


def shards(transcripts: Sequence[Transcript], count: int) -> list[list[int]]:
    """Indices of `transcripts` in `count` shards of about equal recorded length (longest first)."""
    order = sorted(range(len(transcripts)), key=lambda i: -recorded_length(transcripts[i]))
    loads = [(0.0, shard) for shard in range(count)]
    dealt: list[list[int]] = [[] for _ in range(count)]
    for index in order:
        load, shard = heapq.heappop(loads)
        dealt[shard].append(index)
        heapq.heappush(loads, (load + recorded_length(transcripts[index]) + 1.0, shard))
    return dealt


async def run_concurrently(
    transcripts: Sequence[Transcript], job: Job, concurrency: int, progress: Progress | None
) -> list[Any]:
    """`job` on every transcript, `concurrency` at a time, in this event loop (results in order)."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(transcript: Transcript) -> Any:
        async with gate:
            result = await job(transcript)
        if progress is not None:
            progress(result)
        return result

    return list(await asyncio.gather(*(one(t) for t in transcripts)))


@dataclass(frozen=True)
class Assignment:
    """What one worker runs: the job, its share of the transcripts, and how it logs."""

    job: Job
    transcripts: tuple[Transcript, ...]
    concurrency: int
    quiet_logs: bool


@dataclass(frozen=True)
class Pool:
    """How a run is spread: worker processes, the total concurrency, and the bounds of a worker."""

    workers: int
    concurrency: int
    start_timeout: float
    recording_timeout: float
    stop_timeout: float

    def silence_bound(self) -> float:
        """How long a worker may go without reporting a result before it is given up."""
        return self.start_timeout + self.recording_timeout


async def run_corpus_jobs(
    transcripts: Sequence[Transcript], job: Job, pool: Pool, progress: Progress | None, failed: Failure
) -> list[Any]:
    """Results of `job` on every transcript, in order; `failed(transcript, reason)` stands in for
    the result of a recording whose worker died before reporting it."""
    count = worker_count(pool.workers, len(transcripts))
    if count == 1:
        return await run_concurrently(transcripts, job, pool.concurrency, progress)
    results: list[Any] = [None] * len(transcripts)
    share = math.ceil(pool.concurrency / count)
    await asyncio.gather(*(
        _Worker(transcripts, indices, pool, failed).run(job, share, results, progress)
        for indices in shards(transcripts, count)
    ))
    return results


class _Worker:
    """One worker process and the shard it replays."""

    def __init__(self, transcripts: Sequence[Transcript], indices: list[int], pool: Pool, failed: Failure) -> None:
        self.transcripts = transcripts
        self.indices = indices
        self.pool = pool
        self.failed = failed
        self.stderr = OutputTail()

    async def run(self, job: Job, concurrency: int, results: list[Any], progress: Progress | None) -> None:
        assignment = Assignment(job, tuple(self.transcripts[i] for i in self.indices), concurrency,
                                quiet_logs=_quiet_logs())
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "harness.workers",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p or os.curdir for p in sys.path)},
        )
        drain = asyncio.ensure_future(self._keep_stderr(process.stderr))
        reported: set[int] = set()
        try:
            process.stdin.write(pickle.dumps(assignment))
            await process.stdin.drain()
            process.stdin.close()
            await self._collect(process.stdout, results, reported, progress)
        finally:
            await _stop(process, self.pool.stop_timeout)
            await asyncio.wait_for(drain, self.pool.stop_timeout)
        self._fail_unreported(process.returncode, results, reported, progress)

    async def _collect(self, stream, results: list[Any], reported: set[int], progress: Progress | None) -> None:
        while True:
            try:
                header = await asyncio.wait_for(stream.readexactly(_HEADER.size), self.pool.silence_bound())
                position, result = pickle.loads(await stream.readexactly(_HEADER.unpack(header)[0]))
            except (asyncio.IncompleteReadError, asyncio.TimeoutError):
                return
            index = self.indices[position]
            results[index] = result
            reported.add(index)
            if progress is not None:
                progress(result)

    async def _keep_stderr(self, stream) -> None:
        async for line in stream:
            self.stderr.add(line.decode("utf-8", "replace"))
            sys.stderr.buffer.write(line)

    def _fail_unreported(self, code: int | None, results: list[Any], reported: set[int], progress) -> None:
        for index in self.indices:
            if index not in reported:
                reason = f"harness worker exited with code {code} before reporting it{self.stderr.render()}"
                results[index] = self.failed(self.transcripts[index], reason)
                if progress is not None:
                    progress(results[index])


async def _stop(process: asyncio.subprocess.Process, timeout: float) -> None:
    """Let the worker end on its own, else SIGTERM, else SIGKILL (each wait bounded)."""
    for signal_it in (lambda: None, process.terminate, process.kill):
        if process.returncode is not None:
            return
        signal_it()
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except asyncio.TimeoutError:
            continue


def _quiet_logs() -> bool:
    handlers = logging.getLogger().handlers
    return bool(handlers) and all(isinstance(h, logging.NullHandler) for h in handlers)


def _serve(assignment: Assignment, out) -> None:
    """Run the assignment in this process, writing each result on `out` as soon as it is known."""
    position = {id(t): i for i, t in enumerate(assignment.transcripts)}

    async def job(transcript: Transcript) -> tuple[int, Any]:
        return position[id(transcript)], await assignment.job(transcript)

    def report(numbered: tuple[int, Any]) -> None:
        payload = pickle.dumps(numbered)
        out.write(_HEADER.pack(len(payload)) + payload)
        out.flush()

    asyncio.run(run_concurrently(assignment.transcripts, job, assignment.concurrency, report))


def main() -> None:
    """Worker entry point: results on the original stdout, everything else printed on stderr."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    assignment: Assignment = pickle.load(sys.stdin.buffer)
    if assignment.quiet_logs:
        logging.getLogger().addHandler(logging.NullHandler())
    _serve(assignment, out)
    out.close()


if __name__ == "__main__":
    main()
