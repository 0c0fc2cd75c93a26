"""`harness diff [--legacy T] [--candidate T] [RECORDING...]`: candidate against legacy."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands.common import add_output_options, config_of, run_corpus
from harness.corpus import compare_corpus
from harness.targets import check_target, parse_target


def register(subparsers) -> None:
    parser = subparsers.add_parser("diff", help="diff a candidate against the legacy on recordings")
    parser.add_argument("recordings", nargs="*", type=Path, metavar="RECORDING")
    parser.add_argument("--legacy", help="legacy target (default: [tool.harness] legacy)")
    parser.add_argument("--candidate", help="candidate target (default: [tool.harness] candidate)")
    add_output_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = config_of(args)
    paths = args.recordings or [config.resolve(config.recordings)]
    legacy = args.legacy or config.legacy
    candidate = args.candidate or config.candidate
    check_target(parse_target(legacy, config))
    check_target(parse_target(candidate, config))
    return run_corpus(
        lambda progress: compare_corpus(legacy, candidate, paths, config, progress=progress), paths, args
    )
