"""`harness fuzz`: generated sessions replayed against legacy and candidate (0 none found, 1 found, 2 error)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from harness.config import load_config
from harness.fuzz.runner import FuzzOptions, FuzzResult, run_fuzz
from harness.fuzz.writer import describe
from harness.strength import command as strength_command
from harness.targets import parse_target

DEFAULTS = FuzzOptions()


def register(subparsers) -> None:
    _register_fuzz(subparsers)
    strength_command.register(subparsers)


def _register_fuzz(subparsers) -> None:
    parser = subparsers.add_parser("fuzz", help="find differences no recording shows (differential fuzzing)")
    parser.add_argument("--legacy", help="legacy target (default: [tool.harness] legacy)")
    parser.add_argument("--candidate", help="candidate target (default: [tool.harness] candidate)")
    parser.add_argument("--max-examples", type=int, default=DEFAULTS.max_examples, metavar="N",
                        help=f"generated sessions at most (default {DEFAULTS.max_examples})")
    parser.add_argument("--time-budget", type=float, default=DEFAULTS.time_budget, metavar="S",
                        help=f"seconds of search (default {DEFAULTS.time_budget:g}; shrinking adds at most an eighth, 20 s or more)")
    parser.add_argument("--seed", type=int, help="seed for a reproducible run (default: random, printed)")
    parser.add_argument("--jobs", type=int, default=DEFAULTS.jobs, metavar="N",
                        help=f"sessions compared at once (default {DEFAULTS.jobs})")
    parser.add_argument("--out", type=Path, default=DEFAULTS.out, help="where a found session is written")
    parser.add_argument("--config", type=Path, default=Path("pyproject.toml"),
                        help="pyproject.toml holding [tool.harness]")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar, summary only")
    parser.set_defaults(run=run)


def options_of(args: argparse.Namespace) -> FuzzOptions:
    config = load_config(args.config)
    options = FuzzOptions(legacy=args.legacy or config.legacy, candidate=args.candidate or config.candidate,
                          max_examples=max(1, args.max_examples), time_budget=max(1.0, args.time_budget),
                          seed=args.seed, out=args.out, config=config, jobs=max(1, args.jobs))
    parse_target(options.legacy, config)
    parse_target(options.candidate, config)
    return options


def success_lines(success: dict) -> list[str]:
    """`  kind: 41 of 52 requests answered with success (78.8 %), 40 of 45 well formed`."""
    return [f"  {kind or '(junk)'}: {s['succeeded']} of {s['requests']} requests answered with success "
            f"({s['success_percent']} %), {s['well_formed_succeeded']} of {s['well_formed']} well formed"
            for kind, s in success.get("kinds", {}).items()]


def report(result: FuzzResult, quiet: bool) -> None:
    """The differences of a finding and the success share per kind (unless quiet), then the
    summary line."""
    if not quiet:
        for difference in result.result.differences if result.found else ():
            print(describe(difference))
        print("success replies per message kind (legacy):")
        print("\n".join(success_lines(result.success)))
    print(result.summary())


def run(args: argparse.Namespace) -> int:
    options = options_of(args)
    disable = args.quiet or not sys.stderr.isatty()
    with tqdm(total=options.max_examples, file=sys.stderr, disable=disable, unit="session",
              leave=False) as bar:
        def progress(stats, found: bool) -> None:
            bar.set_postfix_str("shrinking" if found else f"{stats.replayed} compared", refresh=False)
            bar.update(1)
        result = run_fuzz(options, progress)
    report(result, args.quiet)
    return 1 if result.found else 0
