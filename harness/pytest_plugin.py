"""The pytest plugin (entry point `pytest11`): `pytest --golden` turns each recording into a test.

In a project whose `pyproject.toml` (at pytest's rootdir) has `[tool.harness]`, `--golden`
collects every `*.jsonl` below the configured `recordings` directory as one test, named after the
recording. Each test replays its recording as `harness diff` does (legacy twice to learn the
noise, candidate once), applies the same waivers, and fails with the report's hunks when an
unwaived difference, a failed run or an unused waiver of that recording remains. Waivers naming
a recording that does not exist are a usage error before anything runs.
"""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from harness.errors import GoldenFailure
from harness.workers import per_process

SETTINGS_KEY = pytest.StashKey["GoldenSettings"]()
AHEAD_KEY = pytest.StashKey["Ahead"]()
CLOSE_TIMEOUT = 30.0


@dataclass(frozen=True)
class GoldenSettings:
    """What every golden test of the session shares: configuration, corpus root, waivers."""

    config: Any  # harness.config.HarnessConfig
    recordings: Path
    waivers: list


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wsgm", "golden master of a WebSocket server (wsgm)")
    group.addoption(
        "--golden",
        action="store_true",
        default=False,
        help="collect one test per recording of [tool.harness]: legacy against candidate, with waivers",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("golden"):
        return
    settings = _settings(config.rootpath / "pyproject.toml")
    config.stash[SETTINGS_KEY] = settings
    if config.args_source != pytest.Config.ArgsSource.ARGS and not _inside(settings.recordings, _arg_paths(config)):
        config.args.append(str(settings.recordings))


def _settings(pyproject: Path) -> GoldenSettings:
    """`[tool.harness]` and its waivers; usage errors name the file and line."""
    import tomllib

    from harness.config import load_config
    from harness.errors import HarnessError
    from harness.waivers import load_waivers

    try:
        if "harness" not in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
            raise pytest.UsageError(f"--golden: no [tool.harness] in {pyproject} (`harness init` writes one)")
        config = load_config(pyproject)
        waivers = load_waivers(config.resolve(config.waivers_file), config.candidate)
    except (OSError, tomllib.TOMLDecodeError, HarnessError) as exc:
        raise pytest.UsageError(f"--golden: {exc}") from None
    recordings = config.resolve(config.recordings).resolve()
    if not recordings.is_dir():
        raise pytest.UsageError(f"--golden: {recordings}: no such recordings directory")
    _check_waiver_names(waivers, recordings)
    return GoldenSettings(config, recordings, waivers)


def _check_waiver_names(waivers: list, recordings: Path) -> None:
    names = {recording_name(path) for path in recordings.rglob("*.jsonl")}
    unknown = [w for w in waivers if w.recording not in names]
    if unknown:
        lines = [f"{w.source}: waiver for unknown recording {w.recording!r}" for w in unknown]
        raise pytest.UsageError("--golden: " + "\n".join(lines))


def _arg_paths(config: pytest.Config) -> list[Path]:
    return [(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args]


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def recording_name(path: Path) -> str:
    """The recording's name from its meta line; the file's stem when that cannot be read."""
    try:
        with path.open(encoding="utf-8") as lines:
            name = json.loads(lines.readline()).get("name")
    except (OSError, ValueError, AttributeError):
        return path.stem
    return name if isinstance(name, str) and name else path.stem


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    settings = parent.config.stash.get(SETTINGS_KEY, None)
    if settings is None or file_path.suffix != ".jsonl" or settings.recordings not in file_path.parents:
        return None
    return RecordingFile.from_parent(parent, path=file_path)


class RecordingFile(pytest.File):
    """One recording file: one golden test."""

    def collect(self):
        yield GoldenItem.from_parent(self, name=recording_name(self.path))


class GoldenItem(pytest.Item):
    """Legacy against candidate on one recording, with the project's waivers."""

    def runtest(self) -> None:
        settings: GoldenSettings = self.config.stash[SETTINGS_KEY]
        ahead = self.config.stash.get(AHEAD_KEY, None)
        if ahead is None:  # under xdist each worker runs its items one by one
            lines = asyncio.run(compare_one(self.path, settings))
        else:
            lines = ahead.result(self.path, _bound(settings.config))
        if lines:
            raise GoldenFailure(lines)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, GoldenFailure):
            return "\n".join(excinfo.value.lines)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"golden master: {self.name}"


def _bound(config) -> float:
    """How long one recording may take: its three runs, each bounded by the recording timeout."""
    return 3 * config.timeouts.recording + config.timeouts.start * 3 + 30


class Ahead:
    """Replays the selected recordings on a background event loop, one core's share of
    `concurrency` at a time (pytest-xdist spreads the processes) and in test order, so that test
    N's result is usually ready when it runs; stopped at session end."""

    def __init__(self, paths: list[Path], settings: GoldenSettings) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="wsgm-golden", daemon=True)
        self.thread.start()
        self.futures: dict[Path, Future] = {}
        gate = asyncio.run_coroutine_threadsafe(_semaphore(per_process(settings.config.concurrency)), self.loop).result()
        for path in paths:
            self.futures[path] = asyncio.run_coroutine_threadsafe(_gated(gate, path, settings), self.loop)

    def result(self, path: Path, timeout: float) -> list[str]:
        return self.futures[path].result(timeout=timeout)

    def close(self) -> None:
        """Cancel what is still running (each replay stops its servers), then end the loop."""
        try:
            asyncio.run_coroutine_threadsafe(_cancel_all(), self.loop).result(timeout=CLOSE_TIMEOUT)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=CLOSE_TIMEOUT)
            if not self.thread.is_alive():
                self.loop.close()


async def _cancel_all() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _semaphore(size: int) -> asyncio.Semaphore:
    return asyncio.Semaphore(max(1, size))


async def _gated(gate: asyncio.Semaphore, path: Path, settings: GoldenSettings) -> list[str]:
    async with gate:
        return await compare_one(path, settings)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Start replaying ahead (not on xdist workers, which are given items one by one)."""
    settings = session.config.stash.get(SETTINGS_KEY, None)
    if settings is None or hasattr(session.config, "workerinput") or session.config.option.collectonly:
        return
    paths = [item.path for item in session.items if isinstance(item, GoldenItem)]
    if paths:
        session.config.stash[AHEAD_KEY] = Ahead(paths, settings)


def pytest_sessionfinish(session: pytest.Session) -> None:
    ahead = session.config.stash.get(AHEAD_KEY, None)
    if ahead is not None:
        ahead.close()


async def compare_one(path: Path, settings: GoldenSettings) -> list[str]:
    """The report lines of one recording's comparison; empty when it matches."""
    from harness import transcript as wsgm
    from harness.corpus import compare_recording
    from harness.errors import TranscriptError
    from harness.textreport import render_recording
    from harness.waivers import apply_waivers, unused_waivers

    config = settings.config
    try:
        transcript = wsgm.load(path)
    except TranscriptError as exc:
        return [f"bad recording: {exc}"]
    result = await compare_recording(transcript, config.legacy, config.candidate, config)
    differences, waived = apply_waivers(result.differences, settings.waivers)
    result = replace(result, differences=differences, waived=waived)
    checked = {result.name} if result.error is None else set()
    unused = unused_waivers(settings.waivers, result.waived, checked)
    if result.ok and not unused:
        return []
    lines = render_recording(result, config.legacy, config.candidate)
    lines += [f"{w.source}: unused waiver for {w.recording} {w.path}: {w.reason}" for w in unused]
    outcome = "failed" if result.error else f"{len(result.differences)} unwaived differences"
    return lines + [f"{result.name}: {outcome}, {len(unused)} unused waivers"]
