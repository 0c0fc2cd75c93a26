"""Replay recordings twice against the legacy in a fresh process, measuring its coverage.

Usage: python tests/golden/replay_legacy.py OUT.json TARGET RECORDING...

A fresh interpreter is used so that coverage.py sees the legacy module being imported (its
module-level lines count), whatever the test session imported before. OUT.json gets
`{"observations": {name: [run1, run2]}, "coverage": {...} | null, "skipped": reason | null}`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEGACY_FILE = ROOT / "legacy" / "websocket_server.py"


def start_coverage():
    """A branch-measuring Coverage of the legacy module, or (None, reason)."""
    if sys.gettrace() is not None:
        return None, "another tracer (coverage run, pytest-cov, a debugger) is active"
    import coverage
    cov = coverage.Coverage(data_file=None, branch=True, include=[str(LEGACY_FILE)], config_file=False)
    cov.start()
    return cov, None


def coverage_figures(cov) -> dict:
    """Line and branch figures of the legacy module, with what is missing."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        cov.json_report(outfile=str(out), include=[str(LEGACY_FILE)], show_contexts=False)
        data = json.loads(out.read_text())
    summary = next(iter(data["files"].values()))["summary"]
    entry = next(iter(data["files"].values()))
    return {
        "lines": summary["covered_lines"], "statements": summary["num_statements"],
        "branches": summary["covered_branches"], "num_branches": summary["num_branches"],
        "missing_lines": entry["missing_lines"], "missing_branches": entry.get("missing_branches", []),
    }


async def replay_all(target: str, paths: list[str]) -> dict:
    from harness.config import load_config
    from harness.replay import replay_recording
    from harness.transcript import load
    from harness.workers import per_process

    config = load_config(ROOT / "pyproject.toml")
    gate = asyncio.Semaphore(per_process(config.concurrency))

    async def twice(path: str):
        transcript = load(Path(path))
        runs = []
        for _ in range(2):
            async with gate:
                runs.append(await replay_recording(transcript, target, fixtures=config.fixtures,
                                                   timeouts=config.timeouts, redaction=config.redact))
        return transcript.name, [run.to_dict() for run in runs]

    return dict(await asyncio.gather(*(twice(p) for p in paths)))


def main(argv: list[str]) -> int:
    out, target, paths = argv[0], argv[1], argv[2:]
    sys.path.insert(0, str(ROOT))
    cov, skipped = start_coverage()
    observations = asyncio.run(replay_all(target, paths))
    figures = None
    if cov is not None:
        cov.stop()
        figures = coverage_figures(cov)
    Path(out).write_text(json.dumps({"observations": observations, "coverage": figures, "skipped": skipped}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
