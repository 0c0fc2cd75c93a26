"""Shared pieces of the corpus commands: options, progress bar, output."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from harness.config import HarnessConfig, load_config
from harness.corpus import CorpusResult, collect_recordings
from harness.textreport import render


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="OUT", type=Path, help="write the JSON result here")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar, summary only")
    parser.add_argument(
        "--config", type=Path, default=Path("pyproject.toml"), help="pyproject.toml holding [tool.harness]"
    )
    parser.add_argument("--show-noise", action="store_true", help="list the learned noise paths")
    parser.add_argument("--verbose", "-v", action="store_true", help="show the targets' own log output")
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="recordings replayed at once (default: [tool.harness] concurrency)",
    )


def config_of(args: argparse.Namespace) -> HarnessConfig:
    """The configuration, with command-line overrides."""
    config = load_config(args.config)
    jobs = vars(args).get("jobs")
    return replace(config, concurrency=max(1, jobs)) if jobs else config


def progress_bar(total: int, quiet: bool) -> tqdm:
    """A progress bar on stderr, shown only on a terminal and without --quiet."""
    disable = quiet or not sys.stderr.isatty() or total < 2
    return tqdm(total=total, file=sys.stderr, disable=disable, unit="rec", leave=False)


def quiet_targets(verbose: bool) -> None:
    """In-process targets log through `logging`; unless verbose, their output is dropped."""
    if not verbose and not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())


def run_corpus(factory, paths: list[Path], args: argparse.Namespace) -> int:
    """Run `factory(progress)` with a progress bar, print the report, write JSON, exit code."""
    quiet_targets(args.verbose)
    with progress_bar(len(collect_recordings(paths)), args.quiet) as bar:

        def progress(result) -> None:
            bar.set_postfix_str(result.name, refresh=False)
            bar.update(1)

        result: CorpusResult = asyncio.run(factory(progress))
    report = render(result, args.show_noise)
    sys.stdout.write(report if not args.quiet else report.splitlines()[-1] + "\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")
    return exit_code(result)


def exit_code(result: CorpusResult) -> int:
    """2 when a transcript was rejected (each named on stderr), else 0 on a match and 1 otherwise."""
    for rejected in result.invalid:
        sys.stderr.write(f"harness: {rejected.error}\n")
    if result.invalid:
        return 2
    return 0 if result.ok else 1
