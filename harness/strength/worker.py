"""Runs in its own process: the golden master against a candidate with one mutated module.

Usage: `python -m harness.strength.worker JOB` where JOB is a pickled `Job`; prints
`{"killed": bool, "by": recording-or-reason}` as JSON.
"""

from __future__ import annotations

import asyncio
import importlib.abc
import importlib.util
import json
import logging
import pickle
import sys
from dataclasses import dataclass

from harness.config import HarnessConfig
from harness.strength.baseline import Expected, differences


@dataclass(frozen=True)
class Job:
    candidate: str
    module: str
    path: str
    source: str
    config: HarnessConfig
    baseline: list[Expected]


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the mutated source for one module name."""

    def __init__(self, module: str, path: str, source: str) -> None:
        self.module, self.path, self.source = module, path, source

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.module:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.path)

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        module.__file__ = self.path
        exec(compile(self.source, self.path, "exec"), vars(module))


async def _first_kill(job: Job) -> str | None:
    """The first recording whose differences go beyond the unmutated candidate's."""
    for item in job.baseline:
        if not await differences(item, job.candidate, job.config) <= item.known:
            return item.transcript.name
    return None


def run(job: Job) -> dict:
    sys.meta_path.insert(0, _MutantFinder(job.module, job.path, job.source))
    logging.disable(logging.CRITICAL)
    try:
        by = asyncio.run(_first_kill(job))
    except Exception as exc:  # a mutant that breaks the import or the harness is killed
        return {"killed": True, "by": f"error: {exc!r}"[:200]}
    return {"killed": by is not None, "by": by}


def main(argv: list[str]) -> int:
    with open(argv[0], "rb") as handle:
        job = pickle.load(handle)
    print(json.dumps(run(job)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
