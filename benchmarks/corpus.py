"""Corpus replay as a workload: every recording against a fresh server, replay time only.

The harness's replayer (``harness.replay``) drives the clients with the recording's sync
points; server start/stop and the quiet-period wait are left out of the time so that only
the work the server does for the recorded traffic is compared.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from harness.config import Timeouts
from harness.corpus import collect_recordings, load_transcripts
from harness.gates.targets import load_class
from harness.redact import Restorer
from harness.targets import LiveTarget, constructor_arguments
from harness.replay import _Run
from harness.transcript import Transcript
from subject_trading.config import harness_config

from benchmarks.targets import TARGETS

ROOT = Path(__file__).resolve().parent.parent
BENCH_CORPUS = Path(__file__).resolve().parent / "corpus"
NO_QUIET = Timeouts(quiet=0.0, quiet_max=0.0)

SUBJECT = harness_config()


TIMED_TAGS = {"sessions", "collections", "market_data"}
DEFAULT_BAR_INTERVAL = 0.01


def timer_bound(transcript: Transcript) -> bool:
    """True when wall-clock waits set the pace: ``sleep`` lines, or bars on a timer."""
    bars = transcript.meta.settings.get("bar_interval", DEFAULT_BAR_INTERVAL)
    return any(e.kind == "sleep" for e in transcript.events) or bool(TIMED_TAGS & set(transcript.meta.tags) and bars)


def corpus_paths(root: Path = ROOT) -> list[Path]:
    """``recordings/`` when it holds recordings, else the benchmark corpus."""
    recordings = root / "recordings"
    if any(recordings.glob("*.jsonl")):
        return collect_recordings([recordings])
    return collect_recordings([BENCH_CORPUS])


async def replay_once(transcript: Transcript, target: str) -> tuple[float, list[str]]:
    """Seconds to replay ``transcript`` against a fresh ``target`` (start/stop excluded), warnings."""
    server = load_class(TARGETS[target])(**constructor_arguments(transcript.meta.settings))
    await asyncio.wait_for(server.start(), 10)
    try:
        restorer = Restorer(SUBJECT.redact, SUBJECT.fixtures, transcript.meta.settings)
        run = _Run(transcript, LiveTarget(f"ws://127.0.0.1:{server.port}/"), restorer, NO_QUIET)
        start = time.perf_counter()
        await asyncio.wait_for(run.run(), 60)
        return time.perf_counter() - start, run.warnings
    finally:
        await asyncio.wait_for(server.stop(), 10)


@dataclass(frozen=True)
class CorpusRig:
    """What the corpus workload needs: the target and the transcripts."""

    name: str
    transcripts: tuple[Transcript, ...]


async def replay_corpus(rig: CorpusRig, n: int) -> float:
    """``n`` replays of the whole corpus; returns the replay time (the workload's own clock)."""
    total = 0.0
    for _ in range(n):
        for transcript in rig.transcripts:
            seconds, warnings = await replay_once(transcript, rig.name)
            if warnings:
                raise RuntimeError(f"{rig.name}: {transcript.name}: {warnings[0]}")
            total += seconds
    return total


def wire_transcripts(paths: list[Path]) -> list[Transcript]:
    """The recordings of ``paths`` that only use the wire (no calls of the server's Python API or
    event lines, which are not wire workload)."""
    return [t for t in load_transcripts(paths) if t.server_side is None]


def corpus_rigs(names: list[str], paths: list[Path] | None = None) -> dict[str, CorpusRig]:
    transcripts = tuple(wire_transcripts(paths or corpus_paths()))
    return {name: CorpusRig(name, transcripts) for name in names}
