"""Replays each recording of a corpus once against a target (no comparison), bounded."""

from __future__ import annotations

import asyncio
from pathlib import Path

from harness.config import HarnessConfig
from harness.corpus import load_transcripts
from harness.observation import Observation
from harness.replay import replay_recording
from harness.targets import parse_target
from harness.workers import per_process


async def replay_all(target: str, recordings: list[Path], config: HarnessConfig) -> list[Observation]:
    """One replay per recording, one core's share of `config.concurrency` at a time."""
    gate = asyncio.Semaphore(per_process(config.concurrency))

    async def one(transcript) -> Observation:
        async with gate:
            return await replay_recording(transcript, parse_target(target, config), fixtures=config.fixtures,
                                          timeouts=config.timeouts, redaction=config.redact)

    return list(await asyncio.gather(*(one(t) for t in load_transcripts(recordings))))
