"""``harness gate [--quick] [--reports DIR] [--legacy T --candidate T] [--only GATE...] [--require GATE...]
[--shim PATH] [--strength PATH]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.commands.common import quiet_targets
from harness.config import load_config
from harness.gates.runners import GATES, GateOptions
from harness.reports.model import shim_phrase
from harness.reports.write import write_reports
from harness.verdict import apply_verdict, run_gates

STRENGTH_FILE = "strength.json"


def register(subparsers) -> None:
    parser = subparsers.add_parser("gate", help="run every gate, write the verdict and reports, point the shim")
    parser.add_argument("--quick", action="store_true", help="reduced bench and memory effort (CI)")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="output directory (default: reports)")
    parser.add_argument("--legacy", help="legacy target (default: [tool.harness] legacy)")
    parser.add_argument("--candidate", help="candidate target (default: [tool.harness] candidate)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(GATES),
        metavar="GATE",
        help=f"run only these gates ({', '.join(GATES)}); a passing partial run keeps the shim",
    )
    parser.add_argument(
        "--require",
        nargs="+",
        choices=list(GATES),
        default=[],
        metavar="GATE",
        help="these gates must run: a skip (the gate cannot apply to a target) fails the verdict",
    )
    parser.add_argument(
        "--shim", help='shim file to rewrite, "" for none (default: [tool.harness] shim)'
    )
    parser.add_argument(
        "--strength",
        type=Path,
        help="strength report shown as information, never judged (default: REPORTS/strength.json)",
    )
    parser.add_argument(
        "--config", type=Path, default=Path("pyproject.toml"), help="pyproject.toml holding [tool.harness]"
    )
    parser.set_defaults(run=run)


def selected(only: list[str] | None) -> dict:
    """The gate table, in order, restricted to ``only``."""
    return {name: gate for name, gate in GATES.items() if not only or name in only}


def run(args: argparse.Namespace, gates: dict | None = None) -> int:
    """Run the gates, write verdict and reports, rewrite the shim; the exit code."""
    quiet_targets(verbose=False)
    config = load_config(args.config)
    options = GateOptions(
        args.legacy or config.legacy, args.candidate or config.candidate, args.reports, args.quick, config
    )
    table = gates if gates is not None else selected(args.only)
    verdict = run_gates(table, options, complete=set(table) >= set(GATES), required=frozenset(args.require))
    strength = args.strength or args.reports / STRENGTH_FILE
    document = apply_verdict(verdict, options, shim_path(args.shim, config), strength)
    written = write_reports(document, args.reports)
    print_summary(document)
    print(f"reports: {written['html']}, {written['markdown']}, {written['junit']}")
    return verdict.exit_code


def shim_path(given: str | None, config) -> Path | None:
    """The shim to rewrite: ``--shim``, else the configured one; None when either is ``""``."""
    chosen = config.shim if given is None else given
    return Path(given) if given else (config.resolve(chosen) if chosen else None)


def print_summary(document: dict) -> None:
    for name, gate in document["gates"].items():
        print(f"{name:<11} {gate['decision']:<7} {gate['reason']}")
    for name, error in document["errors"].items():
        print(f"{name:<11} error {error}", file=sys.stderr)
    shim = document["shim"]
    print(
        f"verdict: {document['decision']} (exit {document['exit_code']}); {shim_phrase(shim['exposed'])}"
        f"{' (rewritten)' if shim['changed'] else ''}"
    )
