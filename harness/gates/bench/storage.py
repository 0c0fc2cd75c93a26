"""pytest-benchmark's JSON format and comparison table for the raw timings."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest_benchmark
from pytest_benchmark.plugin import pytest_benchmark_generate_machine_info
from pytest_benchmark.stats import Stats
from pytest_benchmark.storage.file import FileStorage
from pytest_benchmark.utils import get_machine_id

from harness.gates.bench.timing import PairedTimings

TABLE_COLUMNS = "min,median,iqr,max,ops,rounds,iterations"


def _entry(timings: PairedTimings, side: str, target: str) -> dict:
    stats = Stats()
    for seconds in {"legacy": timings.legacy, "candidate": timings.candidate}[side]:
        stats.update(seconds / timings.iterations)
    figures = stats.as_dict()
    figures.update(data=stats.data, iterations=timings.iterations)
    name = f"{timings.workload}[{side}]"
    return {
        "group": timings.workload,
        "name": name,
        "fullname": f"bench::{name}",
        "params": {"side": side},
        "param": side,
        "extra_info": {"target": target},
        "options": {"timer": "perf_counter"},
        "stats": figures,
    }


def benchmark_document(results: list[PairedTimings], targets: dict[str, str]) -> dict:
    """The run in pytest-benchmark's ``--benchmark-json`` layout (seconds per iteration)."""
    return {
        "machine_info": pytest_benchmark_generate_machine_info(),
        "commit_info": {},
        "benchmarks": [_entry(t, side, targets[side]) for t in results for side in ("legacy", "candidate")],
        "datetime": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "version": pytest_benchmark.__version__,
    }


def write_benchmark_json(path: Path, results: list[PairedTimings], targets: dict[str, str]) -> Path:
    """Write the pytest-benchmark JSON file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(benchmark_document(results, targets), indent=2), encoding="utf-8")
    return path


class _Silent:
    """The logger FileStorage wants; the gate reports paths itself."""

    def info(self, text: str) -> None:
        del text


def save_history(document: dict, root: Path, name: str = "harness_gate") -> Path:
    """Keep the run in pytest-benchmark's storage (``.benchmarks/<machine>/NNNN_name.json``), so
    ``pytest-benchmark list`` and ``compare`` show the history of runs."""
    storage = FileStorage(root, logger=_Silent(), default_machine_id=get_machine_id())
    storage.save(document, name)
    return max(Path(storage.path).rglob(f"[0-9][0-9][0-9][0-9]_{name}.json"))


def comparison_table(path: Path) -> str:
    """pytest-benchmark's own table for the JSON file (``pytest-benchmark compare``)."""
    command = [
        sys.executable,
        "-m",
        "pytest_benchmark",
        "compare",
        str(path),
        f"--columns={TABLE_COLUMNS}",
        "--group-by=group",
        "--sort=name",
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    return proc.stdout if proc.returncode == 0 else f"(table unavailable: {proc.stderr.strip()[-200:]})"
