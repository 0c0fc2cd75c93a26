"""`harness strength` (corpus coverage) and `harness mutate` (mutation score); both write reports/strength.json."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from harness.config import load_config
from harness.strength import report
from harness.strength.coverage_run import measure, package_dir
from harness.strength.mutation import MutationOptions, run_mutation

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
    mutate.add_argument("--max-mutants", type=int, default=MUTATE.max_mutants, metavar="N")
    mutate.add_argument("--time-budget", type=float, default=MUTATE.time_budget, metavar="S")
    mutate.add_argument("--seed", type=int, default=MUTATE.seed, help="which mutants are sampled")
    mutate.add_argument("--jobs", "-j", type=int, default=MUTATE.jobs, help="mutants run at once")
    mutate.set_defaults(run=run_mutate)


def _setup(args: argparse.Namespace):
    config = load_config(args.config)
    root = config.resolve(config.recordings)
    paths = args.recordings or [root] + ([root / "hostile"] if (root / "hostile").is_dir() else [])
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


def run_mutate(args: argparse.Namespace) -> int:
    config, paths, legacy, candidate = _setup(args)
    options = MutationOptions(legacy, candidate, tuple(args.files), max(1, args.max_mutants),
                              args.time_budget, seed=args.seed, jobs=max(1, args.jobs))
    disable = args.quiet or not sys.stderr.isatty()
    logging.disable(logging.ERROR)
    try:
        with tqdm(total=options.max_mutants, file=sys.stderr, disable=disable, unit="mutant", leave=False) as bar:
            result = run_mutation(options, paths, replace(config), package_dir(candidate),
                                  lambda outcome: bar.update(1))
    finally:
        logging.disable(logging.NOTSET)
    data = result.to_dict()
    report.update(args.out, "mutation", data)
    if not args.quiet:
        for survivor in data["survivors"]:
            print(f"survived {survivor['where']}: {survivor['description']}")
    print(f"mutation: {data['killed']}/{data['mutants_run']} killed ({data['score_percent']}%), "
          f"{data['mutation_sites']} sites, {data['not_run']} not run; written {args.out}")
    return 0
