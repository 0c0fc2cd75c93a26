"""The memory gate: retained bytes per replay from N vs 10N replays, each run in its own process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from harness.config import load_config
from harness.gates.memory.bounded import BoundedSubject, bounded_gate
from harness.gates.memory.rss import rss_growth
from harness.gates.result import GateError, GateResult

NOISE_FLOOR = 256  # bytes per replay any candidate may retain
LEGACY_FACTOR = 1.10  # or up to 10% more than the legacy retains per replay ...
LEGACY_MARGIN = 256  # ... plus this many bytes
WORKER_TIMEOUT = 300


@dataclass(frozen=True)
class MemorySettings:
    """N (the small run has N replays, the big one 10N) and the warm-up outside tracking."""

    replays: int = 30
    warmup: int = 10
    floor: int = NOISE_FLOOR
    legacy_factor: float = LEGACY_FACTOR
    legacy_margin: int = LEGACY_MARGIN


FULL = MemorySettings()
QUICK = replace(FULL, replays=10, warmup=5)


def _env() -> dict[str, str]:
    """The child imports what this process imports, with the system allocator (no pymalloc pools)."""
    paths = [p for p in sys.path if p] + [os.getcwd()]
    return {**os.environ, "PYTHONMALLOC": "malloc", "PYTHONPATH": os.pathsep.join(paths)}


def run_worker(target: str, replays: int, warmup: int, capture: Path, config: Path) -> dict:
    """One tracked run in a fresh process; its JSON figures."""
    command = [
        sys.executable, "-m", "harness.gates.memory.worker", target, str(replays), str(warmup), str(capture), str(config)
    ]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT, env=_env())
    except subprocess.TimeoutExpired as exc:
        raise GateError(f"memory: tracked run of {target} took over {WORKER_TIMEOUT} s") from exc
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise GateError(f"memory: tracked run of {target} failed: {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def flamegraph(capture: Path, out: Path) -> Path:
    """``memray flamegraph --leaks`` of one capture."""
    command = [sys.executable, "-m", "memray", "flamegraph", "--leaks", "--force", "-o", str(out), str(capture)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT)
    if proc.returncode != 0:
        raise GateError(f"memory: flame graph of {capture} failed: {proc.stderr.strip()[-200:]}")
    return out


@dataclass(frozen=True)
class Growth:
    """One side's small and big runs and the bytes retained per replay."""

    small: dict
    big: dict
    replays: int

    @property
    def per_replay(self) -> float:
        return (self.big["retained_bytes"] - self.small["retained_bytes"]) / (9 * self.replays)

    def to_dict(self) -> dict:
        return {
            "bytes_per_replay": round(self.per_replay, 1),
            "replays": [self.replays, 10 * self.replays],
            "retained_bytes": [self.small["retained_bytes"], self.big["retained_bytes"]],
            "peak_bytes": self.big["peak_bytes"],
            "recordings": len(self.big["recordings"]),
            "left_out": self.big["left_out"],
        }


def measure_rss(targets: dict[str, str], folder: Path, settings: MemorySettings, config: Path) -> dict[str, Growth]:
    """Resident memory of each side's server process after N and after 10N replays."""
    del folder  # nothing is captured
    loaded = load_config(config)
    runs = {side: asyncio.run(rss_growth(target, loaded, settings.replays, settings.warmup))
            for side, target in targets.items()}
    return {side: Growth(small, big, settings.replays) for side, (small, big) in runs.items()}


def measure(targets: dict[str, str], folder: Path, settings: MemorySettings, config: Path) -> dict[str, Growth]:
    """Small and big memray-tracked runs for each side, two processes at a time."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs = {
        (side, n): (target, n, settings.warmup, folder / f"{side}-{n}.bin", config)
        for side, target in targets.items()
        for n in (settings.replays, 10 * settings.replays)
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(run_worker, *args) for key, args in jobs.items()}
        done = {key: future.result() for key, future in futures.items()}
    return {
        side: Growth(done[side, settings.replays], done[side, 10 * settings.replays], settings.replays)
        for side in targets
    }


METHODS = {"memray": measure, "rss": measure_rss}


def allowed_growth(legacy_per_replay: float, settings: MemorySettings) -> float:
    """The candidate's bound: the noise floor, or the legacy's retention plus a margin."""
    return max(settings.floor, legacy_per_replay * settings.legacy_factor + settings.legacy_margin)


def _flamegraphs(reports: Path, sides: list[str], replays: int) -> dict[str, str]:
    artifacts = {f"{side}_leaks_flamegraph": f"memray/{side}-leaks.html" for side in sides}
    for side in sides:
        flamegraph(reports / "memray" / f"{side}-{replays}.bin", reports / artifacts[f"{side}_leaks_flamegraph"])
    return artifacts


def _reason(value: float, bound: float, bounded: GateResult) -> str:
    growth = f"candidate retains {value:.0f} B per replay ({'<=' if value <= bound else '>'} {bound:.0f} B allowed)"
    return f"{growth}; {bounded.reason}"


def memory_gate(
    legacy: str,
    candidate: str,
    reports: Path,
    config: Path,
    settings: MemorySettings = FULL,
    structures: Sequence[BoundedSubject] = (),
    method: str = "memray",
) -> GateResult:
    """Pass when the candidate's growth per replay of the corpus selection (``config``, the
    configuration file) is within ``allowed_growth`` and the plug-in's structures stay bounded.
    ``method``: ``memray`` (retained bytes, servers in the tracked process) or ``rss`` (resident
    memory of a server process of its own)."""
    growth = METHODS[method]({"legacy": legacy, "candidate": candidate}, reports / "memray", settings, config)
    artifacts = _flamegraphs(reports, list(growth), 10 * settings.replays) if method == "memray" else {}
    bounded = bounded_gate(list(structures))
    bound = allowed_growth(growth["legacy"].per_replay, settings)
    value = growth["candidate"].per_replay
    passed = value <= bound and bounded.passed
    return GateResult(
        name="memory",
        passed=passed,
        summary="candidate memory stays bounded" if passed else "candidate memory grows with use",
        reason=_reason(value, bound, bounded),
        figures={side: g.to_dict() for side, g in growth.items()}
        | {"allowed_bytes_per_replay": round(bound, 1), "bounded": bounded.figures, "measured_with": method},
        thresholds={
            "noise_floor_bytes_per_replay": settings.floor,
            "legacy_factor": settings.legacy_factor,
            "legacy_margin_bytes": settings.legacy_margin,
            "bounded": bounded.thresholds,
        },
        artifacts=artifacts,
    )
