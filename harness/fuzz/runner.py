"""Runs the differential fuzzer: the model is inferred from the corpus, sessions are generated
from it and compared several at a time, the first confirmed difference is minimised and written."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from harness.config import HarnessConfig, Timeouts
from harness.corpus import RecordingResult, load_corpus
from harness.errors import HarnessError
from harness.fuzz.check import Budget, SessionCheck, Stats
from harness.fuzz.generate import Session, session
from harness.fuzz.infer import MessageModel, infer_model
from harness.fuzz.minimise import minimise
from harness.fuzz.success import SuccessTally
from harness.fuzz.writer import write_found
from harness.jsonpath import ROOT
from harness.targets import load_server_class, parse_target
from harness.transcript import Transcript
from harness.waivers import Waiver, load_waivers

# Short waits: a generated session is small, its frames arrive within milliseconds.
FUZZ_TIMEOUTS = Timeouts(connect=3.0, frame=2.0, quiet=0.05, quiet_max=1.0, recording=20.0,
                         start=5.0, close=1.0)
OnExample = Callable[[Stats, bool], None]


@dataclass(frozen=True)
class FuzzOptions:
    """One fuzz run: targets, budget, seed, concurrency and where a finding goes."""

    legacy: str = "legacy"
    candidate: str = "refactored"
    max_examples: int = 3000
    time_budget: float = 240.0
    seed: int | None = None
    out: Path = Path("recordings/found")
    config: HarnessConfig = field(default_factory=HarnessConfig)
    settle_ms: float = 20.0
    jobs: int = 8


@dataclass
class FuzzResult:
    """What a run did and found."""

    seed: int
    seconds: float
    stats: Stats
    transcript: Transcript | None = None
    result: RecordingResult | None = None
    written: Path | None = None
    search_seconds: float = 0.0
    found_after: tuple[int, float] | None = None  # (sessions, seconds) when the finding was confirmed
    success: dict = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.transcript is not None

    @property
    def rate(self) -> float:
        """Sessions compared per second of search."""
        seconds = self.search_seconds or self.seconds
        return self.stats.examples / seconds if seconds else 0.0

    def summary(self) -> str:
        what = f"found a difference, written to {self.written}" if self.found else "no difference found"
        if self.found_after:
            what += f" (after {self.found_after[0]} sessions, {self.found_after[1]:.1f} s)"
        skipped = [f"{n} {label}" for n, label in ((self.stats.unstable, "unstable"),
                                                   (self.stats.legacy_failed, "legacy failures")) if n]
        extra = f" ({', '.join(skipped)} skipped)" if skipped else ""
        share = (self.success.get("all") or {}).get("success_percent")
        ok = f", {share} % of requests answered with success" if share is not None else ""
        return (f"fuzz: {self.stats.examples} sessions ({self.stats.replayed} compared) in "
                f"{self.seconds:.1f} s ({self.rate:.1f}/s){ok}, seed {self.seed}: {what}{extra}")


def preflight(target: str, config: HarnessConfig | None = None) -> None:
    """An in-process target must import before anything is generated (TargetError otherwise)."""
    spec = parse_target(target, config)
    if spec.in_process:
        load_server_class(spec)


def corpus_model(config: HarnessConfig, waivers: list[Waiver]) -> MessageModel:
    """The message model of the configured corpus, without the recordings waived as a whole
    (what they show is an accepted difference, so their inputs are not generated)."""
    where = config.resolve(config.recordings)
    transcripts, _ = load_corpus([where])
    whole = {w.recording for w in waivers if w.path == ROOT}
    model = infer_model([t for t in transcripts if t.name not in whole])
    if model is None or not model.kinds:
        raise HarnessError(f"fuzz: the recordings in {where} show no JSON requests answered with success; "
                           "nothing to generate from")
    return model


@dataclass
class _Search:
    """Generates and compares sessions `jobs` at a time until one differs, the budget ends or
    `max_examples` ran; the differing sessions are then confirmed in index order."""

    check: SessionCheck
    model: MessageModel
    options: FuzzOptions
    seed: int
    budget: Budget
    tally: SuccessTally
    on_example: OnExample
    next_index: int = 0
    differing: list[tuple[int, Session, RecordingResult]] = field(default_factory=list)

    def more(self) -> bool:
        return not self.differing and self.budget.open() and self.next_index < self.options.max_examples

    async def run(self) -> tuple[int, Session, RecordingResult] | None:
        while self.more():
            await self._explore()
            found = await self._first_confirmed()
            if found is not None:
                return found
        return None

    async def _explore(self) -> None:
        gate = asyncio.Semaphore(max(1, self.options.jobs))
        tasks = []
        while True:
            await gate.acquire()
            if not self.more():
                gate.release()
                break
            tasks.append(asyncio.create_task(self._one(self.next_index, gate)))
            self.next_index += 1
        await asyncio.gather(*tasks)

    async def _one(self, index: int, gate: asyncio.Semaphore) -> None:
        try:
            generated = session(self.model, self.seed, index, self.options.settle_ms)
            result = await self.check.compare(generated.transcript)
        finally:
            gate.release()
        self.check.stats.examples += 1
        self.tally.add(generated, result.expected)
        self.on_example(self.check.stats, bool(result.differences))
        if result.differences:
            self.differing.append((index, generated, result))

    async def _first_confirmed(self) -> tuple[int, Session, RecordingResult] | None:
        candidates, self.differing = sorted(self.differing, key=lambda item: item[0]), []
        for index, generated, result in candidates:
            confirmed = await self.check.confirmed(generated.transcript, result)
            if confirmed is not None:
                return index, generated, confirmed
        return None


def _minimised(check: SessionCheck, budget: Budget, transcript: Transcript,
               result: RecordingResult) -> tuple[Transcript, RecordingResult]:
    """Actions (and request keys) dropped while the session still differs, within the shrink
    budget; the smaller session is compared once more, else the found one stands."""
    smaller = minimise(transcript, lambda t: budget.open() and check.differs(t) is not None)
    again = check.differs(smaller) if smaller != transcript else result
    return (smaller, again) if again is not None else (transcript, result)


def run_fuzz(options: FuzzOptions, on_example: OnExample = lambda stats, found: None) -> FuzzResult:
    """Generate and compare sessions until the budget ends or a difference is found and minimised."""
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**32)
    for target in (options.legacy, options.candidate):
        preflight(target, options.config)
    waivers = load_waivers(options.config.resolve(options.config.waivers_file), options.candidate)
    model = corpus_model(options.config, waivers)
    check = SessionCheck(options.legacy, options.candidate, replace(options.config, timeouts=FUZZ_TIMEOUTS),
                         waivers, model.correlation.reply_key)
    budget = Budget(options.time_budget, shrink=max(20.0, options.time_budget / 8))
    tally = SuccessTally(model.correlation)
    started = time.perf_counter()
    logging.disable(logging.ERROR)  # the targets' own warnings (lockouts...) are expected
    try:
        found = check.run(_Search(check, model, options, seed, budget, tally, on_example).run())
        searched = time.perf_counter() - started
        if found is not None:
            budget.found_at = time.monotonic()
            transcript, result = _minimised(check, budget, found[1].transcript, found[2])
    finally:
        logging.disable(logging.NOTSET)
        check.close()
    stats = check.stats
    if stats.replayed and stats.legacy_failed == stats.replayed:
        raise HarnessError(f"fuzz: the legacy failed on every session: {stats.last_failure}")
    run = FuzzResult(seed, time.perf_counter() - started, stats, search_seconds=searched,
                     success=tally.to_dict())
    if found is not None:
        run.transcript, run.result, run.found_after = transcript, result, (found[0] + 1, searched)
        run.written = write_found(transcript, result, options.out, options.legacy, options.candidate)
    return run
