"""Golden-master support: replay the corpus, normalise, snapshot form, candidate diff, coverage."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.config import HarnessConfig, load_config
from harness.corpus import RecordingResult
from harness.diff import Difference, diff_observations
from harness.learn import learn_noise
from harness.noise import NoiseSpec
from harness.normalise import NormalClient, NormalFrame, NormalObservation, normalise
from harness.observation import ClientObservation, Frame, Observation
from harness.replay import replay_recording
from harness.textreport import render_recording
from harness.transcript import load
from harness.waivers import Waiver, apply_waivers, load_waivers
from harness.workers import per_process

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT / "recordings"
HERE = Path(__file__).resolve().parent
# Kept out of `recordings/` so that `harness diff` and the gates stay fast (1001 connections).
SLOW_RECORDINGS = HERE / "slow_recordings"
SNAPSHOTS = HERE / "__snapshots__" / "test_golden_corpus"
LEGACY_TIMEOUT = 600
SEPARATORS = (",", ":")  # as the normaliser writes canonical frames
LEARNING = "legacy (runs 1-2)"


def golden_config() -> HarnessConfig:
    """`[tool.harness]` of the project (what `harness diff` uses), rooted at the project."""
    return replace(load_config(ROOT / "pyproject.toml"), root=ROOT)


def corpus_files(slow: bool = False) -> list[Path]:
    """The corpus recordings (top level of `recordings/`), or the slow ones (`slow_recordings/`)."""
    folder = SLOW_RECORDINGS if slow else RECORDINGS
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


# --- snapshot form ------------------------------------------------------------------------
def _text(frame: NormalFrame) -> str:
    """Canonical JSON, ASCII-escaped (a lone surrogate cannot be written to a UTF-8 file)."""
    return json.dumps(frame.value, separators=SEPARATORS) if frame.is_json else frame.text


def snapshot_of(observation: NormalObservation) -> dict[str, Any]:
    """The golden form: per client, canonical frame texts (key order kept), close codes, refusals."""
    return {name: {"frames": [_text(f) for f in c.frames], "close_codes": list(c.close_codes),
                   "connect_errors": list(c.connect_errors)}
            for name, c in observation.clients.items()}


def _frame(text: str) -> NormalFrame:
    try:
        value = json.loads(text)
    except ValueError:
        return NormalFrame(text)
    return NormalFrame(json.dumps(value, ensure_ascii=False, separators=SEPARATORS), value, True)


def observation_of(snapshot: dict[str, Any], recording: str) -> NormalObservation:
    """A stored snapshot back as a NormalObservation (for the differ)."""
    clients = {name: NormalClient(name, tuple(_frame(t) for t in c["frames"]), tuple(c["close_codes"]),
                                  tuple(c["connect_errors"]))
               for name, c in snapshot.items()}
    return NormalObservation(recording, "snapshot", clients)


def snapshot_path(name: str) -> Path:
    return SNAPSHOTS / f"test_golden[{name}-legacy].json"


def stored_snapshot(name: str) -> dict[str, Any] | None:
    path = snapshot_path(name)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


# --- observations over process boundaries -------------------------------------------------------
def _observation_from(data: dict[str, Any]) -> Observation:
    def frame(f: dict[str, str]) -> Frame:
        return Frame(binary=base64.b64decode(f["binary"])) if "binary" in f else Frame(text=f["text"])

    clients = {name: ClientObservation(name, tuple(frame(f) for f in c["frames"]), tuple(c["close_codes"]),
                                       tuple(c["connect_errors"]))
               for name, c in data["clients"].items()}
    return Observation(data["recording"], data["target"], clients, data["failed"], tuple(data["warnings"]),
                       data["duration"])


# --- the run ----------------------------------------------------------------------------------
@dataclass
class Outcome:
    """One recording: normalised legacy output and each candidate's, with failures and noise."""

    name: str
    legacy: NormalObservation | None = None
    candidates: dict[str, NormalObservation | None] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    noise: NoiseSpec | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class GoldenRun:
    """What one batch produced: outcomes by recording, legacy coverage figures."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    coverage: dict[str, Any] | None = None
    coverage_skipped: str | None = None
    covered_recordings: int = 0


def _legacy_process(paths: list[Path], target: str, out: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, str(HERE / "replay_legacy.py"), str(out), target, *map(str, paths)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


async def _candidates(paths: list[Path], targets: list[str], config: HarnessConfig) -> dict:
    gate = asyncio.Semaphore(per_process(config.concurrency))

    async def one(path: Path, target: str):
        transcript = load(path)
        async with gate:
            return (transcript.name, target), await replay_recording(
                transcript, target, fixtures=config.fixtures, timeouts=config.timeouts, redaction=config.redact)

    return dict(await asyncio.gather(*(one(p, t) for p in paths for t in targets)))


def _outcome(name: str, runs: list[Observation], candidates: dict, targets: list[str],
             config: HarnessConfig) -> Outcome:
    first, second = runs
    noise = learn_noise(first, second, config.noise, frozenset(config.redact.tokens + config.redact.ids))
    outcome = Outcome(name, noise=noise, warnings=list(noise.unstable) + list(first.warnings) + list(second.warnings))
    failed = first.failed or second.failed
    if failed:
        outcome.failures[LEARNING] = failed
    else:
        outcome.legacy = normalise(first, noise)
    for target in targets:
        observation = candidates[(name, target)]
        if observation.failed:
            outcome.failures[target] = observation.failed
        outcome.candidates[target] = None if observation.failed else normalise(observation, noise)
    return outcome


def run_batch(paths: list[Path], targets: list[str], config: HarnessConfig) -> GoldenRun:
    """Legacy twice per recording (fresh process, coverage) while the `targets` replay here once each
    (the legacy among them is its own third run: legacy against itself)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "legacy.json"
        process = _legacy_process(paths, config.legacy, out)
        try:
            candidates = asyncio.run(_candidates(paths, targets, config))
            _, errors = process.communicate(timeout=LEGACY_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if process.returncode != 0 or not out.is_file():
            raise RuntimeError(f"legacy replay process failed ({process.returncode}): {errors[-2000:]}")
        data = json.loads(out.read_text())
    outcomes = {name: _outcome(name, [_observation_from(r) for r in runs], candidates, targets, config)
                for name, runs in data["observations"].items()}
    return GoldenRun(outcomes, data["coverage"], data["skipped"], len(outcomes))


# --- candidate verdict ------------------------------------------------------------------------
def candidate_report(name: str, expected: NormalObservation, actual: NormalObservation,
                     waivers: list[Waiver], target: str) -> tuple[list[Difference], list[str]]:
    """Unwaived differences of the candidate against the snapshot, and the report lines."""
    differences = [replace(d, recording=name) for d in diff_observations(expected, actual)]
    unwaived, waived = apply_waivers(differences, waivers)
    used = {id(w.waiver) for w in waived}
    unused = [w for w in waivers if w.recording == name and id(w) not in used]
    result = RecordingResult(name, str(RECORDINGS / f"{name}.jsonl"), unwaived, waived)
    lines = render_recording(result, "legacy(snapshot)", target)
    lines += [f"{w.source}: unused waiver for {w.recording} {w.path}: {w.reason}" for w in unused]
    return unwaived + [Difference(name, w.client or "-", "unused_waiver", path=w.path) for w in unused], lines


def load_corpus_waivers(config: HarnessConfig) -> list[Waiver]:
    return load_waivers(config.resolve(config.waivers_file))


def compare_legacy_twice(repeats: int, config: HarnessConfig) -> list[str]:
    """Run the corpus legacy-against-legacy `repeats` times; the summary of every unclean run."""
    from harness.corpus import compare_corpus_sync
    from harness.textreport import render

    failures = []
    for run in range(1, repeats + 1):
        result = compare_corpus_sync(config.legacy, config.legacy, [RECORDINGS], config)
        unstable = [f"{r.name}: {w}" for r in result.recordings for w in r.warnings]
        print(f"legacy against legacy, run {run}/{repeats}: {result.summary()}"
              + (f", {len(unstable)} unstable" if unstable else ""))
        if result.unwaived_count or unstable:
            failures.append(f"run {run}/{repeats}: {result.summary()}\n{render(result)}\n" + "\n".join(unstable))
    return failures


def coverage_line(run: GoldenRun) -> str:
    """`legacy coverage over N recordings: lines a/b (x%), branches c/d (y%)`."""
    if run.coverage is None:
        return f"legacy coverage not measured: {run.coverage_skipped}"
    c = run.coverage
    return (f"legacy/websocket_server.py coverage over {run.covered_recordings} recordings: "
            f"lines {c['lines']}/{c['statements']} ({100 * c['lines'] / c['statements']:.1f}%), "
            f"branches {c['branches']}/{c['num_branches']} ({100 * c['branches'] / c['num_branches']:.1f}%)")
