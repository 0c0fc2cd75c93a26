"""The golden master as a test suite: the legacy's normalised output per recording, computed once,
and the unmutated candidate's replay of each recording under coverage (its differences, duration
and the lines it executes)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from pathlib import Path

from harness import transcript as wsgm
from harness.config import HarnessConfig
from harness.corpus import collect_recordings
from harness.diff import diff_observations
from harness.errors import HarnessError
from harness.learn import learn_noise
from harness.noise import NoiseSpec
from harness.normalise import NormalObservation, normalise
from harness.replay import replay_recording
from harness.strength.linecover import LineCoverage, measure_lines
from harness.targets import parse_target
from harness.transcript import Transcript
from harness.workers import per_process

Signature = frozenset[tuple[str, str, str]]


@dataclass(frozen=True)
class Expected:
    """One recording: the legacy's normalised output, its noise, what the unmutated candidate
    already differs in (waived differences, which a mutant gets no credit for), its key (the
    recording's path) and how long the candidate's replay took."""

    transcript: Transcript
    noise: NoiseSpec
    expected: NormalObservation
    known: Signature
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return self.transcript.path


@dataclass(frozen=True)
class Baseline:
    """Every recording's expectation (fastest first) and the candidate's line coverage."""

    items: tuple[Expected, ...]
    coverage: LineCoverage
    seconds: float

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(item.key for item in self.items)

    def chosen(self, keys: frozenset[str]) -> list[Expected]:
        """The items of `keys`, fastest first."""
        return [item for item in self.items if item.key in keys]


async def _replay(transcript: Transcript, target: str, config: HarnessConfig):
    return await replay_recording(transcript, parse_target(target, config), fixtures=config.fixtures,
                                  timeouts=config.timeouts, redaction=config.redact)


def signature(item: Expected, observation) -> Signature:
    """What a candidate's observation differs in from the expectation (client, kind, path)."""
    if observation.failed:
        return frozenset({("-", "failed", observation.failed)})
    actual = normalise(observation, item.noise)
    return frozenset((d.client, d.kind, d.path) for d in diff_observations(item.expected, actual))


async def differences(item: Expected, candidate: str, config: HarnessConfig) -> Signature:
    """What a candidate's replay of the recording differs in."""
    return signature(item, await _replay(item.transcript, candidate, config))


async def _legacy(transcripts: list[Transcript], legacy: str, config: HarnessConfig) -> list[Expected]:
    gate = asyncio.Semaphore(per_process(config.concurrency))

    async def one(transcript: Transcript) -> Expected:
        async with gate:
            first = await _replay(transcript, legacy, config)
            second = await _replay(transcript, legacy, config)
        noise = learn_noise(first, second, config.noise)
        return Expected(transcript, noise, normalise(first, noise), frozenset())

    return list(await asyncio.gather(*(one(t) for t in transcripts)))


def load_unique(recordings: list[Path]) -> list[Transcript]:
    """Every recording below the given paths, each file once."""
    files = list(dict.fromkeys(p.resolve() for p in collect_recordings(recordings)))
    if not files:
        raise HarnessError(f"no recordings (*.jsonl) in {', '.join(map(str, recordings))}")
    return [wsgm.load(path) for path in files]


def build(legacy: str, candidate: str, recordings: list[Path], config: HarnessConfig,
          package: Path, files: list[Path]) -> Baseline:
    """Legacy twice per recording (`config.concurrency` at a time), then the candidate once per
    recording, one at a time under coverage."""
    started = time.perf_counter()
    items = {item.key: item for item in asyncio.run(_legacy(load_unique(recordings), legacy, config))}
    replays, cover = measure_lines(list(items), lambda key: _replay(items[key].transcript, candidate, config),
                                   package, files)
    done = [replace(items[key], known=signature(items[key], observation), seconds=seconds)
            for key, (observation, seconds) in replays.items()]
    ordered = tuple(sorted(done, key=lambda item: (round(item.seconds, 1), item.key)))
    return Baseline(ordered, cover, time.perf_counter() - started)
