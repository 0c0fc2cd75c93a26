"""Runs in its own process: the golden master against a candidate with one mutated module.

Usage: `python -m harness.strength.worker JOB` where JOB is a pickled `Job`; prints
`{"killed": bool, "by": recording-or-reason}` as JSON and exits at once (replays still running
are abandoned with the process).
"""

from __future__ import annotations

import asyncio
import importlib.abc
import importlib.util
import json
import logging
import os
import pickle
import sys
from dataclasses import dataclass, replace

from harness.config import HarnessConfig
from harness.strength.baseline import Expected, differences


@dataclass(frozen=True)
class Job:
    """One module's source (mutated or not) and the recordings to replay, in order; `replays`
    of them run at once. A mutant that withholds a frame is given up on after `frame_timeout`
    seconds a step, and a recording after 10 s plus five times its baseline duration."""

    candidate: str
    module: str
    path: str
    source: str
    config: HarnessConfig
    baseline: list[Expected]
    replays: int = 4
    frame_timeout: float = 2.0


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


def _config(job: Job, item: Expected) -> HarnessConfig:
    timeouts = job.config.timeouts
    bounded = replace(timeouts, frame=min(timeouts.frame, job.frame_timeout),
                      recording=min(timeouts.recording, 10.0 + 5.0 * item.seconds))
    return replace(job.config, timeouts=bounded)


async def _killed(item: Expected, job: Job) -> str | None:
    killed = not await differences(item, job.candidate, _config(job, item)) <= item.known
    return item.transcript.name if killed else None


async def _first_kill(job: Job) -> str | None:
    """The first recording to finish whose differences go beyond the unmutated candidate's;
    recordings start in job order, `replays` at a time."""
    queue = iter(job.baseline)
    running: set[asyncio.Future] = set()
    while True:
        for item in queue:
            running.add(asyncio.ensure_future(_killed(item, job)))
            if len(running) >= max(1, job.replays):
                break
        if not running:
            return None
        done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        killer = next(filter(None, (task.result() for task in done)), None)
        if killer is not None:
            return killer


def run(job: Job) -> dict:
    """The verdict; the event loop is left open so that unfinished replays cost nothing."""
    sys.meta_path.insert(0, _MutantFinder(job.module, job.path, job.source))
    logging.disable(logging.CRITICAL)
    try:
        by = asyncio.new_event_loop().run_until_complete(_first_kill(job))
    except Exception as exc:  # a mutant that breaks the import or the harness is killed
        return {"killed": True, "by": f"error: {exc!r}"[:200]}
    return {"killed": by is not None, "by": by}


def main(argv: list[str]) -> int:
    with open(argv[0], "rb") as handle:
        job = pickle.load(handle)
    print(json.dumps(run(job)), flush=True)
    return 0


if __name__ == "__main__":
    sys.stderr.flush()
    os._exit(main(sys.argv[1:]))
