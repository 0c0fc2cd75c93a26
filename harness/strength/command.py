"""`harness strength` (corpus coverage) and `harness mutate` (mutation score); both write reports/strength.json."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from tqdm import tqdm

from harness.config import load_config
from harness.strength import report
from harness.strength.coverage_run import measure, package_dir
from harness.strength.equivalents import DEFAULT_FILE
from harness.strength.mutation import MutationOptions, run_mutation
from harness.strength.picking import Pick

DEFAULT_OUT = Path("reports/strength.json")
MUTATE = MutationOptions()


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recordings", nargs="*", type=Path, metavar="RECORDING",
                        help="corpus (default: [tool.harness] recordings and its hostile/ folder)")
    parser.add_argument("--legacy", help="legacy target (default: [tool.harness] legacy)")
    parser.add_argument("--candidate", help="candidate target (default: [tool.harness] candidate)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the strength report (JSON)")
    parser.add_argument("--config", type=Path, default=Path("pyproject.toml"))
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar, summary only")


def register(subparsers) -> None:
    strength = subparsers.add_parser("strength", help="line and branch coverage of the corpus replay")
    _common(strength)
    strength.set_defaults(run=run_strength)
    mutate = subparsers.add_parser("mutate", help="mutation score of the golden master on the candidate")
    _common(mutate)
    mutate.add_argument("--files", nargs="+", type=Path, default=(), help="candidate files to mutate")
    mutate.add_argument("--max-mutants", type=_count, default=MUTATE.pick.max_mutants, metavar="N|all",
                        help="seeded sample size; 'all' or 0: every mutation site")
    mutate.add_argument("--seed", type=int, default=MUTATE.pick.seed, help="which mutants are sampled")
    mutate.add_argument("--where", action="append", default=[], metavar="FILE:LINE",
                        help="run the mutants of this line (repeatable); merged into the previous report")
    mutate.add_argument("--only-survivors", action="store_true",
                        help="run the previous report's survivors and equivalents again; merged into it")
    mutate.add_argument("--equivalents", type=Path, help=f"declared equivalent mutants (default: {DEFAULT_FILE})")
    mutate.add_argument("--time-budget", type=float, default=MUTATE.time_budget, metavar="S",
                        help="seconds for the mutants (after the baseline)")
    mutate.add_argument("--mutant-timeout", type=float, default=MUTATE.mutant_timeout, metavar="S")
    mutate.add_argument("--jobs", "-j", type=int, default=MUTATE.jobs, help="mutants run at once")
    mutate.add_argument("--replays", type=int, default=MUTATE.replays, help="recordings replayed at once per mutant")
    mutate.set_defaults(run=run_mutate)


def _count(text: str) -> int:
    if text == "all":
        return 0
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: want a number or 'all'")
    return int(text)


def _setup(args: argparse.Namespace):
    config = load_config(args.config)
    root = config.resolve(config.recordings)
    paths = args.recordings or [root]
    return config, paths, args.legacy or config.legacy, args.candidate or config.candidate


def run_strength(args: argparse.Namespace) -> int:
    config, paths, legacy, candidate = _setup(args)
    figures = measure([legacy, candidate], paths, config)
    report.update(args.out, "coverage", {"corpus": [str(p) for p in paths],
                                         "targets": [f.to_dict() for f in figures]})
    for f in figures:
        print(f"coverage {f.target}: lines {f.line_percent}%, branches {f.branch_percent}% "
              f"({len(f.missing_branches)} line ranges with unreached branches)")
    print(f"written {args.out}")
    return 0


def _options(args: argparse.Namespace, config, legacy: str, candidate: str) -> MutationOptions:
    pick = Pick(args.max_mutants, args.seed, tuple(args.where), args.only_survivors)
    return MutationOptions(legacy, candidate, tuple(args.files), pick, args.time_budget, args.mutant_timeout,
                           max(1, args.jobs), max(1, args.replays),
                           args.equivalents or config.resolve(str(DEFAULT_FILE)))


def _previous(path: Path) -> dict:
    try:
        section = json.loads(path.read_text(encoding="utf-8")).get("mutation", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return section if isinstance(section, dict) else {}


def _summary(data: dict, quiet: bool) -> None:
    listed = [] if quiet else data["survivors"]
    for survivor in listed:
        print(f"survived {survivor['where']}: {survivor['description']} ({survivor['status']})")
    for declaration in data["unused_declarations"]:
        print(f"{declaration['declared_at']}: unused declaration {declaration['mutation']} at {declaration['where']}")
    for outcome in data["contradicted_declarations"]:
        print(f"{outcome['declared']['declared_at']}: declared {outcome['declared']['kind']} but killed by {outcome['by']}")
    interval = data["confidence_95"]
    shown = f", 95% CI {interval[0]}-{interval[1]}%" if interval else ""
    print(f"mutation: {data['killed']}/{data['mutants_run'] - data['equivalent']} killed ({data['score_percent']}%{shown}; "
          f"{data['score_counting_unobservable_percent']}% counting unobservable ones), "
          f"{data['equivalent']} declared ({data['declared_equivalent']} equivalent, "
          f"{data['declared_unobservable']} unobservable), "
          f"{data['survived']} survived ({data['not_covered']} not covered), "
          f"{data['mutants_run']} run of {data['mutation_sites']} sites, {data['not_run']} not run, {data['seconds']} s")


def run_mutate(args: argparse.Namespace) -> int:
    config, paths, legacy, candidate = _setup(args)
    options = _options(args, config, legacy, candidate)
    previous = _previous(args.out) if options.pick.rerun else {}
    every = 0.1 if sys.stderr.isatty() else 30.0  # a log file gets a line every 30 s
    logging.disable(logging.ERROR)
    try:
        with tqdm(file=sys.stderr, disable=args.quiet, unit="mutant", leave=False, mininterval=every) as bar:
            result = run_mutation(options, paths, config, package_dir(candidate, config), lambda outcome: bar.update(1),
                                  previous)
    finally:
        logging.disable(logging.NOTSET)
    data = result.to_dict()
    report.update(args.out, "mutation", data)
    _summary(data, args.quiet)
    print(f"written {args.out}")
    if data["control"].get("killed"):
        print(f"the unmutated candidate was killed ({data['control']['by']}): kills are not trustworthy",
              file=sys.stderr)
        return 1
    return 0
