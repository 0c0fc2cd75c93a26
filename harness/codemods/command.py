"""``harness migrate PATH --from OLD --to NEW [--dry-run]``: move a consumer's imports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.codemods.runner import migrate_tree
from harness.errors import HarnessError


def register(subparsers) -> None:
    parser = subparsers.add_parser("migrate", help="rewrite a code base's imports from one module path to another")
    parser.add_argument("path", type=Path, help="file or directory to migrate")
    parser.add_argument("--from", dest="old", default="legacy.websocket_server", help="module path to leave")
    parser.add_argument("--to", dest="new", default="compat", help="module path to use instead")
    parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """0 migrated (or nothing to do), 1 a file would not pass pyflakes (nothing written), 2 usage."""
    if not args.path.exists():
        raise HarnessError(f"{args.path}: no such file or directory")
    report = migrate_tree(args.path, args.old, args.new, dry_run=args.dry_run)
    for change in report.changed:
        print(change.diff() if args.dry_run else f"migrated {change.path}", end="\n" if not args.dry_run else "")
    problems = report.errors + [f"{p} (after migrating {c.path})" for c in report.changes for p in c.problems]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("migrate: nothing written (problems above)", file=sys.stderr)
        return 1
    print(f"{len(report.changed)} file(s) {'would change' if args.dry_run else 'changed'}")
    return 0
