"""The golden master as a test suite: the legacy's normalised output per recording, computed once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from harness.config import HarnessConfig
from harness.corpus import load_transcripts
from harness.diff import diff_observations
from harness.noise import NoiseSpec, learn_noise
from harness.normalise import NormalObservation, normalise
from harness.replay import replay_recording
from harness.transcript import Transcript

Signature = frozenset[tuple[str, str, str]]


@dataclass(frozen=True)
class Expected:
    """One recording: the legacy's normalised output, its noise, and what the unmutated candidate
    already differs in (waived differences), which a mutant does not get credit for."""

    transcript: Transcript
    noise: NoiseSpec
    expected: NormalObservation
    known: Signature


async def _replay(transcript: Transcript, target: str, config: HarnessConfig):
    return await replay_recording(transcript, target, fixtures=config.fixtures,
                                  timeouts=config.timeouts, redaction=config.redact)


async def differences(item: Expected, candidate: str, config: HarnessConfig) -> Signature:
    """What a candidate's replay of the recording differs in (client, kind, path)."""
    observation = await _replay(item.transcript, candidate, config)
    if observation.failed:
        return frozenset({("-", "failed", observation.failed)})
    actual = normalise(observation, item.noise)
    return frozenset((d.client, d.kind, d.path) for d in diff_observations(item.expected, actual))


async def _expected(transcript: Transcript, legacy: str, candidate: str, config: HarnessConfig) -> Expected:
    first = await _replay(transcript, legacy, config)
    second = await _replay(transcript, legacy, config)
    noise = learn_noise(first, second, config.noise)
    item = Expected(transcript, noise, normalise(first, noise), frozenset())
    return Expected(transcript, noise, item.expected, await differences(item, candidate, config))


async def build(legacy: str, candidate: str, recordings: list[Path], config: HarnessConfig) -> list[Expected]:
    """The baseline of every recording (`config.concurrency` at a time)."""
    gate = asyncio.Semaphore(max(1, config.concurrency))

    async def one(transcript: Transcript) -> Expected:
        async with gate:
            return await _expected(transcript, legacy, candidate, config)

    return list(await asyncio.gather(*(one(t) for t in load_transcripts(recordings))))
