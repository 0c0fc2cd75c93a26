"""The gate table: each entry turns the run's options into one GateResult."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from harness.config import HarnessConfig
from harness.corpus import compare_corpus_sync
from harness.gates import fuzz
from harness.gates.api.gate import api_gate
from harness.gates.complexity import CC_LIMIT, complexity_gate
from harness.gates.golden import golden_gate
from harness.gates.memory import gate as memory
from harness.gates.result import GateError, GateResult, NotApplicable, result_from_dict
from harness.gates.targets import source_root
from harness.subject import load_subject
from harness.targets import parse_target

BENCH_TIMEOUT = 900
# Variables that would put the timed process under coverage or an xdist worker.
UNTIMEABLE = (
    "COV_CORE_SOURCE",
    "COV_CORE_CONFIG",
    "COV_CORE_DATAFILE",
    "COVERAGE_PROCESS_START",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTHONMALLOC",
)


@dataclass(frozen=True)
class GateOptions:
    """What every gate may need from one ``harness gate`` run."""

    legacy: str
    candidate: str
    reports: Path
    quick: bool
    config: HarnessConfig


def run_golden(options: GateOptions) -> GateResult:
    config = options.config
    recordings = [config.resolve(config.recordings)]
    return golden_gate(compare_corpus_sync(options.legacy, options.candidate, recordings, config))


def python_sources(target: str, configured: tuple[str, ...], config: HarnessConfig) -> list[Path] | None:
    """A side's Python sources: the configured paths, else the package of its import path;
    None for a target that is not Python."""
    if configured:
        return [config.resolve(path) for path in configured]
    return [source_root(target, config)] if parse_target(target, config).in_process else None


def run_complexity(options: GateOptions) -> GateResult:
    config = options.config
    limit = int(config.thresholds.get("max_cc", CC_LIMIT))
    candidate = python_sources(options.candidate, config.complexity.candidate, config)
    if candidate is None:
        raise NotApplicable(
            f"complexity: {options.candidate} is not a Python target; name its sources in [tool.harness.complexity] candidate"
        )
    return complexity_gate(candidate, python_sources(options.legacy, config.complexity.legacy, config), limit)


# [tool.harness] thresholds keys -> MemorySettings fields
MEMORY_THRESHOLDS = {
    "memory_floor_bytes": "floor",
    "memory_legacy_factor": "legacy_factor",
    "memory_legacy_margin_bytes": "legacy_margin",
}


def memory_settings(options: GateOptions) -> memory.MemorySettings:
    """QUICK or FULL effort, with any thresholds the configuration overrides."""
    overrides = {
        field: options.config.thresholds[key]
        for key, field in MEMORY_THRESHOLDS.items()
        if key in options.config.thresholds
    }
    return replace(memory.QUICK if options.quick else memory.FULL, **overrides)


def config_file(options: GateOptions) -> Path:
    """The configuration file a gate's subprocess reads (the run's own, else ROOT/pyproject.toml)."""
    return options.config.source or options.config.root / "pyproject.toml"


def memory_method(options: GateOptions) -> str:
    """memray when both servers run in the harness's process, else the resident memory of their
    processes; a server the harness does not start cannot be measured (a skip)."""
    kinds = {parse_target(target, options.config).kind: target for target in (options.legacy, options.candidate)}
    if "url" in kinds:
        raise NotApplicable(f"memory: {kinds['url']} is a server the harness does not start, so its memory is not measured")
    return "memray" if set(kinds) == {"class"} else "rss"


def run_memory(options: GateOptions) -> GateResult:
    method = memory_method(options)
    structures = load_subject(options.config).bounded_structures(options.candidate)
    return memory.memory_gate(
        options.legacy, options.candidate, options.reports, config_file(options), memory_settings(options), structures,
        method,
    )


def run_bench(options: GateOptions) -> GateResult:
    """The bench in a fresh process: never timed under coverage, memray or xdist."""
    env = {k: v for k, v in os.environ.items() if k not in UNTIMEABLE}
    env["PYTHONPATH"] = os.pathsep.join([p for p in sys.path if p] + [os.getcwd()])
    command = [
        sys.executable,
        "-m",
        "harness.gates.bench",
        options.legacy,
        options.candidate,
        str(options.reports),
        "--quick" if options.quick else "--full",
        str(options.config.thresholds.get("bench_ratio", 1.05)),
        str(config_file(options)),
    ]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=BENCH_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as exc:
        raise GateError(f"bench: measuring took over {BENCH_TIMEOUT} s") from exc
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise GateError(f"bench: measuring failed: {tail}")
    return result_from_dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def run_fuzz(options: GateOptions) -> GateResult:
    effort = fuzz.QUICK if options.quick else fuzz.FULL
    return fuzz.fuzz_gate(options.legacy, options.candidate, options.reports, effort, options.config)


def run_api(options: GateOptions) -> GateResult:
    config = options.config
    waivers = config.resolve(config.waivers_file)
    return api_gate(options.legacy, options.candidate, waivers, config.timeouts.start, config)


GATES: dict[str, Callable[[GateOptions], GateResult]] = {
    "golden": run_golden,
    "complexity": run_complexity,
    "memory": run_memory,
    "bench": run_bench,
    "fuzz": run_fuzz,
    "api": run_api,
}
