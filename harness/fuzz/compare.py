"""One generated session compared: legacy twice (noise) and candidate once, then normalised and
diffed as a recording. While exploring, the three replays run at the same time (a session is
short and mostly waits); a finding is confirmed and minimised with one replay at a time, as the
corpus runner replays, so that no difference comes from replays slowing each other down."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from harness.config import HarnessConfig
from harness.corpus import RecordingResult
from harness.diff import diff_observations
from harness.learn import learn_noise
from harness.normalise import normalise
from harness.observation import Observation
from harness.replay import replay_recording
from harness.targets import parse_target
from harness.transcript import Transcript


def _failure(runs: tuple[Observation, ...]) -> str | None:
    return next((f"{o.target}: {o.failed}" for o in runs if o.failed), None)


async def _one_by_one(*replays) -> list[Observation]:
    return [await replay for replay in replays]


async def compare_session(transcript: Transcript, legacy: str, candidate: str, config: HarnessConfig,
                          at_once: bool = True) -> RecordingResult:
    """Differences before waivers; a failed replay sets `error` (`target: reason`)."""
    def replay(target: str):
        return replay_recording(transcript, parse_target(target, config), fixtures=config.fixtures,
                                timeouts=config.timeouts, redaction=config.redact)

    run = asyncio.gather if at_once else _one_by_one
    runs = tuple(await run(replay(legacy), replay(legacy), replay(candidate)))
    result = RecordingResult(transcript.name, transcript.path, error=_failure(runs),
                             timings={f"{i}:{o.target}": round(o.duration, 4) for i, o in enumerate(runs)})
    if result.error is not None:
        return result
    noise = learn_noise(runs[0], runs[1], config.noise, frozenset(config.redact.tokens + config.redact.ids))
    expected, actual = normalise(runs[0], noise), normalise(runs[2], noise)
    return replace(result, expected=expected, actual=actual, differences=diff_observations(expected, actual))
