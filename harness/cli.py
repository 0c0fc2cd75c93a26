"""The `harness` command line: a table of subcommands, each registered by its own module."""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from harness import __version__
from harness.errors import HarnessError

# name -> module exposing `register(subparsers)`; its parser sets `run(args) -> int`.
# Only the module of the command being run is imported (fast start-up).
COMMANDS = {
    "init": "harness.commands.init",
    "replay": "harness.commands.replay",
    "diff": "harness.commands.diff",
    "record": "harness.commands.record",
    "record-scenarios": "harness.commands.record_scenarios",
    "gate": "harness.gates.command",
    "migrate": "harness.codemods.command",
    "fuzz": "harness.fuzz.command",
}
# Commands whose module may be absent from an installation (then they are not offered).
OPTIONAL = frozenset({"gate", "migrate", "fuzz"})


def _load(name: str) -> ModuleType | None:
    module = COMMANDS[name]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if name in OPTIONAL and exc.name and module.startswith(exc.name):
            return None
        raise


def _requested(argv: list[str]) -> list[str]:
    """The command named on the command line, or every command (for help and errors)."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    if first is None and "--version" in argv:
        return []
    return [first] if first in COMMANDS else list(COMMANDS)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the requested subcommand (or all available ones) registered."""
    parser = argparse.ArgumentParser(
        prog="harness", description="Golden-master harness for WebSocket servers."
    )
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    names = _requested(list(argv) if argv is not None else sys.argv[1:])
    for module in filter(None, map(_load, names)):
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 differences, 2 errors)."""
    argv = list(argv) if argv is not None else sys.argv[1:]
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not hasattr(args, "run"):
        parser.print_usage(sys.stderr)
        return 2
    try:
        return args.run(args)
    except HarnessError as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
