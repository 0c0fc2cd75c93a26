"""Corpus runs spread over worker processes (harness.workers)."""

from __future__ import annotations

import asyncio
import os
from functools import partial

import pytest

from harness.transcript import Event, Meta, Transcript
from harness.workers import (
    MIN_RECORDINGS_PER_WORKER, Pool, per_process, recorded_length, run_corpus_jobs, shards, worker_count,
)


def _transcript(name: str, seconds: float = 0.0) -> Transcript:
    return Transcript(Meta(name), (Event("connect", "c1", t=0.0), Event("close", "c1", t=seconds)))


async def _where(transcript: Transcript, exit_on: str = "") -> tuple[str, int]:
    """A job that says which process ran it (and kills its worker on one recording)."""
    if transcript.name == exit_on:
        os._exit(3)
    await asyncio.sleep(0.01)
    return transcript.name, os.getpid()


def _failed(transcript: Transcript, reason: str) -> tuple[str, str]:
    return transcript.name, reason


def _pool(workers: int) -> Pool:
    return Pool(workers, concurrency=8, start_timeout=10, recording_timeout=20, stop_timeout=2)


@pytest.mark.parametrize(("requested", "recordings", "expected"), [
    (2, MIN_RECORDINGS_PER_WORKER * 2, 2),
    (2, MIN_RECORDINGS_PER_WORKER * 2 - 1, 1),  # a worker only for a batch
    (4, MIN_RECORDINGS_PER_WORKER * 3, 3),
    (1, 500, 1),
    (8, 0, 1),
])
def test_worker_count(requested, recordings, expected):
    assert worker_count(requested, recordings) == expected


def test_worker_count_defaults_to_the_cores():
    assert worker_count(0, 10_000) == (os.cpu_count() or 1)


def test_shards_deal_longest_first_to_the_least_loaded():
    transcripts = [_transcript(f"r{i}", seconds) for i, seconds in enumerate([9, 1, 1, 1, 4, 4, 1, 1])]
    dealt = shards(transcripts, 2)
    assert sorted(i for shard in dealt for i in shard) == list(range(8))
    loads = [sum(recorded_length(transcripts[i]) + 1 for i in shard) for shard in dealt]
    assert abs(loads[0] - loads[1]) <= 2
    assert dealt[0][0] == 0  # the longest recording starts first


async def test_a_large_corpus_runs_in_several_processes_with_results_in_order():
    transcripts = [_transcript(f"r{i:02}") for i in range(MIN_RECORDINGS_PER_WORKER * 2)]
    seen = []
    results = await run_corpus_jobs(transcripts, _where, _pool(2), seen.append, _failed)
    assert [name for name, _ in results] == [t.name for t in transcripts]
    assert len({pid for _, pid in results}) == 2
    assert os.getpid() not in {pid for _, pid in results}
    assert sorted(seen) == sorted(results)


async def test_a_small_corpus_runs_in_this_process():
    transcripts = [_transcript(f"r{i}") for i in range(3)]
    results = await run_corpus_jobs(transcripts, _where, _pool(2), None, _failed)
    assert {pid for _, pid in results} == {os.getpid()}


async def test_a_dead_worker_fails_only_what_it_had_not_reported():
    transcripts = [_transcript(f"r{i:02}") for i in range(MIN_RECORDINGS_PER_WORKER * 2)]
    job = partial(_where, exit_on="r05")
    results = await run_corpus_jobs(transcripts, job, _pool(2), None, _failed)
    by_name = dict(results)
    assert "harness worker exited with code 3 before reporting it" in by_name["r05"]
    survivors = [name for name, outcome in results if isinstance(outcome, int)]
    assert len(survivors) >= MIN_RECORDINGS_PER_WORKER  # the other worker's shard is whole
    assert len(results) == len(transcripts)


def test_one_event_loop_gets_one_cores_share_of_the_concurrency(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert (per_process(32), per_process(1), per_process(33)) == (16, 1, 17)


async def _hangs_on(transcript: Transcript, name: str) -> tuple[str, int]:
    if transcript.name == name:
        await asyncio.sleep(3600)
    return transcript.name, os.getpid()


async def test_a_silent_worker_is_stopped_within_its_bound():
    transcripts = [_transcript(f"r{i:02}") for i in range(MIN_RECORDINGS_PER_WORKER * 2)]
    pool = Pool(2, concurrency=64, start_timeout=5.0, recording_timeout=1.0, stop_timeout=1.0)
    started = asyncio.get_running_loop().time()
    results = await run_corpus_jobs(transcripts, partial(_hangs_on, name="r03"), pool, None, _failed)
    assert asyncio.get_running_loop().time() - started < 30  # bounded: silence 6 s, then stopped
    by_name = dict(results)
    assert "harness worker exited with code" in by_name["r03"]
    assert sum(isinstance(outcome, int) for outcome in by_name.values()) == len(transcripts) - 1
