"""Runs the differential fuzzer: Hypothesis generates, replays compare, the shrunk finding is written."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis.stateful import run_state_machine_as_test

from harness.config import HarnessConfig, Timeouts
from harness.corpus import RecordingResult
from harness.errors import HarnessError
from harness.fuzz.check import Budget, BudgetSpent, DifferenceFound, SessionCheck, Stats
from harness.fuzz.known import Exclusions, exclusions
from harness.fuzz.machine import machine_class
from harness.fuzz.minimise import minimise
from harness.fuzz.writer import write_found
from harness.targets import load_server_class, parse_target
from harness.transcript import Transcript
from harness.waivers import Waiver, load_waivers

# Short waits: a generated session is small, its frames arrive within milliseconds.
FUZZ_TIMEOUTS = Timeouts(connect=3.0, frame=2.0, quiet=0.05, quiet_max=1.0, recording=20.0,
                         start=5.0, close=1.0)
MAX_ACTIONS = 12


@dataclass(frozen=True)
class FuzzOptions:
    """One fuzz run: targets, budget, seed and where a finding goes."""

    legacy: str = "legacy"
    candidate: str = "refactored"
    max_examples: int = 150
    time_budget: float = 240.0
    seed: int | None = None
    out: Path = Path("recordings/found")
    config: HarnessConfig = field(default_factory=HarnessConfig)
    settle_ms: float = 20.0


@dataclass
class FuzzResult:
    """What a run did and found."""

    seed: int
    seconds: float
    stats: Stats
    transcript: Transcript | None = None
    result: RecordingResult | None = None
    written: Path | None = None

    @property
    def found(self) -> bool:
        return self.transcript is not None

    @property
    def rate(self) -> float:
        """Sessions compared per second."""
        return self.stats.replayed / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        what = f"found a difference, written to {self.written}" if self.found else "no difference found"
        skipped = [f"{n} {label}" for n, label in ((self.stats.unstable, "unstable"),
                                                   (self.stats.legacy_failed, "legacy failures")) if n]
        extra = f" ({', '.join(skipped)} skipped)" if skipped else ""
        return (f"fuzz: {self.stats.examples} sessions ({self.stats.replayed} compared) in "
                f"{self.seconds:.1f} s ({self.rate:.2f}/s), seed {self.seed}: {what}{extra}")


def hypothesis_settings(max_examples: int) -> settings:
    """Bounded, quiet, no example database, no deadline (replays are slow by nature)."""
    return settings(max_examples=max_examples, stateful_step_count=MAX_ACTIONS, deadline=None,
                    database=None, derandomize=False, verbosity=Verbosity.quiet,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink),
                    suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                    print_blob=False)


def preflight(target: str) -> None:
    """An in-process target must import before anything is generated (TargetError otherwise)."""
    spec = parse_target(target)
    if spec.in_process:
        load_server_class(spec)


def make_check(options: FuzzOptions, waivers: list[Waiver], on_example: Callable) -> SessionCheck:
    config = replace(options.config, timeouts=FUZZ_TIMEOUTS)
    budget = Budget(options.time_budget, shrink=max(20.0, options.time_budget / 8))
    return SessionCheck(options.legacy, options.candidate, config, waivers, budget, on_example)


def _minimised(check: SessionCheck, found: DifferenceFound) -> DifferenceFound:
    """Hypothesis' shrunk session with single actions dropped while it still differs (checked once
    more at the end; Hypothesis' own result stands if the smaller one does not reproduce)."""
    transcript = minimise(found.transcript, lambda t: check.differs(t) is not None)
    again = check.compare(transcript)
    if not again.differences:
        return found
    return DifferenceFound(transcript, again)


def _search(check: SessionCheck, options: FuzzOptions, seed: int,
            excluded: Exclusions) -> DifferenceFound | None:
    """Run the state machine; the shrunk difference, or None."""
    machine = machine_class(check, seed, options.settle_ms, excluded)
    logging.disable(logging.ERROR)  # the targets' own warnings (lockouts...) are expected
    try:
        run_state_machine_as_test(machine, settings=hypothesis_settings(options.max_examples))
    except DifferenceFound as exc:
        return _minimised(check, exc)
    except BudgetSpent:
        return _minimised(check, check.smallest) if check.smallest else None
    finally:
        logging.disable(logging.NOTSET)
    return None


def run_fuzz(options: FuzzOptions, on_example: Callable = lambda stats, found: None) -> FuzzResult:
    """Generate and compare sessions until the budget ends or a difference is found and shrunk."""
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**32)
    for target in (options.legacy, options.candidate):
        preflight(target)
    waivers = load_waivers(options.config.resolve(options.config.waivers_file))
    check = make_check(options, waivers, on_example)
    started = time.perf_counter()
    try:
        found = _search(check, options, seed, exclusions(waivers))
    finally:
        check.close()
    if check.stats.replayed and check.stats.legacy_failed == check.stats.replayed:
        raise HarnessError(f"fuzz: the legacy failed on every session: {check.stats.last_failure}")
    result = FuzzResult(seed, time.perf_counter() - started, check.stats)
    if found is not None:
        result.transcript, result.result = found.transcript, found.result
        result.written = write_found(found.transcript, found.result, options.out,
                                     options.legacy, options.candidate)
    return result
