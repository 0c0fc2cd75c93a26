"""The corpus runner: replay recordings against targets, normalise, diff, apply waivers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Callable

from harness import transcript as wsgm
from harness.config import HarnessConfig
from harness.diff import Difference, diff_observations
from harness.errors import HarnessError, TranscriptError
from harness.learn import learn_noise
from harness.noise import NoiseSpec
from harness.normalise import NormalObservation, normalise
from harness.observation import Observation, expected_observation
from harness.replay import replay_recording
from harness.targets import parse_target
from harness.transcript import Transcript
from harness.waivers import WaivedDifference, Waiver, apply_waivers, load_waivers, unused_waivers
from harness.workers import Pool, run_corpus_jobs

Progress = Callable[["RecordingResult"], None]


@dataclass(frozen=True)
class RecordingResult:
    """The outcome for one recording, a value: a changed outcome is a new one (`replace`)."""

    name: str
    path: str
    differences: list[Difference] = field(default_factory=list)
    waived: list[WaivedDifference] = field(default_factory=list)
    error: str | None = None
    noise: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    expected: NormalObservation | None = None
    actual: NormalObservation | None = None
    invalid: bool = False  # the transcript itself was rejected; `error` says where and why
    not_applicable: str | None = None  # why a target cannot run this recording (neither pass nor failure)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.differences

    def to_dict(self) -> dict[str, Any]:
        """JSON form; normalised frames of both sides are included when something differs."""
        out = {
            "name": self.name,
            "path": self.path,
            "ok": self.ok,
            "error": self.error,
            "invalid": self.invalid,
            "not_applicable": self.not_applicable,
            "differences": [d.to_dict() for d in self.differences],
            "waived": [w.to_dict() for w in self.waived],
            "noise": self.noise,
            "warnings": self.warnings,
            "timings": self.timings,
        }
        if self.expected is not None and not self.ok:
            out["frames"] = {"expected": self.expected.to_dict(), "actual": self.actual.to_dict()}
        return out


@dataclass
class CorpusResult:
    """The outcome of a whole run: one result per recording, plus unused waivers."""

    legacy: str
    candidate: str
    recordings: list[RecordingResult]
    unused_waivers: list[Waiver] = field(default_factory=list)

    @property
    def unwaived_count(self) -> int:
        return sum(len(r.differences) + (r.error is not None) for r in self.recordings)

    @property
    def ok(self) -> bool:
        return self.unwaived_count == 0 and not self.unused_waivers

    @property
    def invalid(self) -> list[RecordingResult]:
        """Recordings whose transcript was rejected (bad input, not a difference)."""
        return [r for r in self.recordings if r.invalid]

    @property
    def waived_count(self) -> int:
        return sum(len(r.waived) for r in self.recordings)

    @property
    def not_applicable(self) -> list[RecordingResult]:
        """Recordings a target could not run (e.g. calls against an external target)."""
        return [r for r in self.recordings if r.not_applicable]

    def summary(self) -> str:
        """One line: recordings, matches, differences, failures, not applicable, waivers."""
        failed = sum(r.error is not None for r in self.recordings)
        skipped = len(self.not_applicable)
        matching = sum(r.ok for r in self.recordings) - skipped
        not_run = f"{skipped} not applicable, " if skipped else ""
        return (
            f"{len(self.recordings)} recordings: {matching} match, "
            f"{self.unwaived_count - failed} differences, {failed} failed, {not_run}"
            f"{self.waived_count} waived, {len(self.unused_waivers)} unused waivers"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "legacy": self.legacy,
            "candidate": self.candidate,
            "ok": self.ok,
            "unwaived_count": self.unwaived_count,
            "waived_count": self.waived_count,
            "summary": self.summary(),
            "recordings": [r.to_dict() for r in self.recordings],
            "unused_waivers": [w.to_dict() for w in self.unused_waivers],
        }


def collect_recordings(paths: list[Path]) -> list[Path]:
    """Files as given; directories expanded to every `*.jsonl` below them, sorted."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out += sorted(path.rglob("*.jsonl"))
        elif path.is_file():
            out.append(path)
        else:
            raise HarnessError(f"{path}: no such recording or directory")
    return out


def _recording_files(paths: list[Path]) -> list[Path]:
    files = collect_recordings(paths)
    if not files:
        raise HarnessError(f"no recordings (*.jsonl) in {', '.join(map(str, paths))}")
    return files


def load_transcripts(paths: list[Path]) -> list[Transcript]:
    """Load every recording (TranscriptError on the first bad one); none found is an error."""
    return [wsgm.load(path) for path in _recording_files(paths)]


def load_corpus(paths: list[Path]) -> tuple[list[Transcript], list[RecordingResult]]:
    """Load every recording; a bad one becomes a failed result (`path:line: reason`), so the
    others still run. None found at all is an error."""
    transcripts: list[Transcript] = []
    rejected: list[RecordingResult] = []
    for path in _recording_files(paths):
        try:
            transcripts.append(wsgm.load(path))
        except TranscriptError as exc:
            rejected.append(RecordingResult(path.stem, str(path), error=str(exc), invalid=True))
    return transcripts, rejected


def _replayer(config: HarnessConfig):
    async def replay(transcript: Transcript, target: str) -> Observation:
        return await replay_recording(
            transcript, parse_target(target, config), fixtures=config.fixtures, timeouts=config.timeouts,
            redaction=config.redact,
        )

    return replay


def _failure(*observations: Observation) -> str | None:
    for obs in observations:
        if obs.failed:
            return f"{obs.target}: {obs.failed}"
    return None


class _TargetFailed(Exception):
    """A run failed, or could not run: the recording's result is that (no further runs)."""

    def __init__(self, observation: Observation) -> None:
        super().__init__(observation.failed or observation.not_applicable)
        self.observation = observation


async def _run(replay, transcript: Transcript, target: str) -> Observation:
    observation = await replay(transcript, target)
    if observation.failed or observation.not_applicable:
        raise _TargetFailed(observation)
    return observation


async def _learned(replay, transcript: Transcript, target: str, config: HarnessConfig):
    first = await _run(replay, transcript, target)
    second = await _run(replay, transcript, target)
    keys = frozenset(config.redact.tokens + config.redact.ids)
    return first, second, learn_noise(first, second, config.noise, keys)


def _result(
    transcript: Transcript,
    expected: Observation,
    actual: Observation,
    noise: NoiseSpec,
    runs: tuple[Observation, ...],
) -> RecordingResult:
    result = RecordingResult(
        transcript.name,
        transcript.path,
        noise=noise.report(),
        timings={f"{i}:{o.target}": round(o.duration, 4) for i, o in enumerate(runs)},
        warnings=list(noise.unstable) + [f"{o.target}: {w}" for o in runs for w in o.warnings],
        error=_failure(*runs),
    )
    if result.error is not None:
        return result
    normal_expected, normal_actual = normalise(expected, noise), normalise(actual, noise)
    return replace(result, expected=normal_expected, actual=normal_actual,
                   differences=diff_observations(normal_expected, normal_actual))


async def compare_recording(
    transcript: Transcript, legacy: str, candidate: str, config: HarnessConfig
) -> RecordingResult:
    """Legacy twice (noise), candidate once; differences before waivers (never raises)."""
    return await _guarded(lambda t: _compare(t, legacy, candidate, config), transcript)


async def _compare(
    transcript: Transcript, legacy: str, candidate: str, config: HarnessConfig
) -> RecordingResult:
    replay = _replayer(config)
    first, second, noise = await _learned(replay, transcript, legacy, config)
    actual = await _run(replay, transcript, candidate)
    return _result(transcript, first, actual, noise, (first, second, actual))


async def check_recording(transcript: Transcript, target: str, config: HarnessConfig) -> RecordingResult:
    """A target against the recording's own frames (noise from two runs of the target)."""
    return await _guarded(lambda t: _check(t, target, config), transcript)


async def _check(transcript: Transcript, target: str, config: HarnessConfig) -> RecordingResult:
    replay = _replayer(config)
    first, second, noise = await _learned(replay, transcript, target, config)
    if not transcript.has_recv:
        return _result(transcript, second, first, noise, (first, second))
    # The recording holds issued tokens as references, never their contents.
    sealed = replace(noise, open_tokens=False)
    return _result(transcript, expected_observation(transcript), first, sealed, (first, second))


async def _guarded(job, transcript: Transcript) -> RecordingResult:
    """Run one recording's job; a failed target or an unexpected exception fails it only."""
    try:
        return await job(transcript)
    except _TargetFailed as failed:
        obs = failed.observation
        return RecordingResult(
            transcript.name,
            transcript.path,
            error=f"{obs.target}: {obs.failed}" if obs.failed else None,
            warnings=[f"{obs.target}: {w}" for w in obs.warnings],
            timings={f"0:{obs.target}": round(obs.duration, 4)},
            not_applicable=f"{obs.target}: {obs.not_applicable}" if obs.not_applicable else None,
        )
    except Exception as exc:  # the run goes on with the other recordings
        return RecordingResult(transcript.name, transcript.path, error=f"harness error: {exc!r}")


async def _run_corpus(
    recordings: list[Path], job, config: HarnessConfig, progress: Progress | None
) -> list[RecordingResult]:
    """Load the recordings and run `job` on each good one; rejected transcripts come first."""
    transcripts, rejected = load_corpus(recordings)
    timeouts = config.timeouts
    pool = Pool(config.workers, config.concurrency, timeouts.start, timeouts.recording, timeouts.close)
    return rejected + await run_corpus_jobs(transcripts, job, pool, progress, _lost)


def _lost(transcript: Transcript, reason: str) -> RecordingResult:
    return RecordingResult(transcript.name, transcript.path, error=reason)


def _waived(result: RecordingResult, waivers: list[Waiver]) -> RecordingResult:
    differences, waived = apply_waivers(result.differences, waivers)
    return replace(result, differences=differences, waived=waived)


def _with_waivers(
    results: list[RecordingResult], waivers: list[Waiver], complete: bool
) -> tuple[list[RecordingResult], list[Waiver]]:
    """The results with waivers applied, and the unused waivers: for recordings that ran (not
    failed) and, when a whole directory ran, for recordings that do not exist."""
    waived = [_waived(result, waivers) for result in results]
    checked = {r.name for r in waived if r.error is None and not r.not_applicable}
    if complete:
        checked |= {w.recording for w in waivers} - {r.name for r in waived}
    return waived, unused_waivers(waivers, [w for r in waived for w in r.waived], checked)


async def compare_corpus(
    legacy: str,
    candidate: str,
    recordings: list[Path],
    config: HarnessConfig | None = None,
    *,
    progress: Progress | None = None,
) -> CorpusResult:
    """Compare a candidate with the legacy on every recording (waivers applied)."""
    config = config or HarnessConfig()
    waivers = load_waivers(config.resolve(config.waivers_file), candidate)

    job = partial(compare_recording, legacy=legacy, candidate=candidate, config=config)
    results = await _run_corpus(recordings, job, config, progress)
    results, unused = _with_waivers(results, waivers, any(Path(p).is_dir() for p in recordings))
    if legacy == candidate:  # a target against itself: waivers cannot apply
        unused = []
    return CorpusResult(legacy, candidate, results, unused)


def compare_corpus_sync(
    legacy: str, candidate: str, recordings: list[Path], config: HarnessConfig | None = None, **options
) -> CorpusResult:
    """compare_corpus for synchronous callers."""
    return asyncio.run(compare_corpus(legacy, candidate, recordings, config, **options))


async def replay_corpus(
    target: str,
    recordings: list[Path],
    config: HarnessConfig | None = None,
    *,
    progress: Progress | None = None,
) -> CorpusResult:
    """Check a target against the recordings themselves (no waivers)."""
    config = config or HarnessConfig()

    job = partial(check_recording, target=target, config=config)
    results = await _run_corpus(recordings, job, config, progress)
    return CorpusResult("recording", target, results)
