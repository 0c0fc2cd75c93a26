"""`harness record-scenarios PATH... --target T --out DIR`: one recording per scenario."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from harness.commands.common import config_of, progress_bar, quiet_targets
from harness.errors import HarnessError
from harness.scenario import load_scenarios, record_scenario
from harness.transcript import write
from harness.workers import per_process


def register(subparsers) -> None:
    parser = subparsers.add_parser("record-scenarios", help="record scenario scripts into transcripts")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--target", default="legacy")
    parser.add_argument("--out", type=Path, default=Path("recordings"))
    parser.add_argument("--only", action="append", default=[], help="record only this scenario (repeatable)")
    parser.add_argument("--quiet", "-q", action="store_true")
    parser.add_argument("--jobs", "-j", type=int, metavar="N", help="scenarios recorded at once")
    parser.add_argument("--config", type=Path, default=Path("pyproject.toml"))
    parser.set_defaults(run=run)


async def _record_one(sc, args, config, gate: asyncio.Semaphore, bar) -> str | None:
    """Record one scenario and write it; returns the failure, if any."""
    async with gate:
        try:
            transcript = await record_scenario(sc, args.target, config)
        except HarnessError as exc:
            return f"{sc.name}: {exc}"
        finally:
            bar.update(1)
    write(transcript, args.out / f"{sc.name}.jsonl")
    return None


async def _record_all(scenarios, args, config, bar) -> list[str]:
    """Record every scenario, `config.concurrency` at a time (each has its own target)."""
    gate = asyncio.Semaphore(per_process(config.concurrency))
    results = await asyncio.gather(*(_record_one(sc, args, config, gate, bar) for sc in scenarios))
    return [failure for failure in results if failure]


def run(args: argparse.Namespace) -> int:
    config = config_of(args)
    quiet_targets(False)
    scenarios = [s for s in load_scenarios(args.paths) if not args.only or s.name in args.only]
    if not scenarios:
        raise HarnessError("no scenarios found")
    with progress_bar(len(scenarios), args.quiet) as bar:
        failures = asyncio.run(_record_all(scenarios, args, config, bar))
    for failure in failures:
        print(f"harness: {failure}", file=sys.stderr)
    print(f"{len(scenarios) - len(failures)} of {len(scenarios)} scenarios recorded into {args.out}")
    return 1 if failures else 0
