"""`harness replay RECORDING... --target T`: does the target answer as recorded?"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands.common import add_output_options, config_of, run_corpus
from harness.corpus import replay_corpus
from harness.targets import check_target, parse_target


def register(subparsers) -> None:
    parser = subparsers.add_parser("replay", help="replay recordings against one target")
    parser.add_argument("recordings", nargs="+", type=Path, metavar="RECORDING")
    parser.add_argument("--target", required=True, help="an alias, module:Class, cmd:COMMAND, asgi:module:app or ws://host:port")
    add_output_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = config_of(args)
    check_target(parse_target(args.target, config))
    return run_corpus(
        lambda progress: replay_corpus(args.target, args.recordings, config, progress=progress),
        args.recordings,
        args,
    )
