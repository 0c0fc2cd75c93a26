"""Bounded-structure check: a session store and a delivery queue under 100,000 sessions."""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import asdict, dataclass
from typing import Any, Callable

from harness.gates.result import GateError, GateResult

SESSIONS = 100_000
SAMPLE_EVERY = 1_000
MAX_GROWTH = 16.0  # bytes per session still accumulating once the structure should be full


@dataclass(frozen=True)
class BoundedSubject:
    """A structure to fill: ``add(i)`` stores the i-th session's entry, ``size()`` counts entries."""

    name: str
    add: Callable[[int], Any]
    size: Callable[[], int]
    bound: int


@dataclass(frozen=True)
class BoundedResult:
    """The largest size seen while adding ``inserts`` entries, and the bytes still growing at the end."""

    name: str
    inserts: int
    bound: int
    max_size: int
    final_size: int
    growth_bytes_per_session: float
    max_growth_bytes_per_session: float
    seconds: float

    @property
    def passed(self) -> bool:
        return self.max_size <= self.bound and self.growth_bytes_per_session <= self.max_growth_bytes_per_session


def _fill(subject: BoundedSubject, start: int, stop: int, sample_every: int) -> int:
    """Add entries ``start..stop-1``; the largest sampled size."""
    largest = 0
    for index in range(start, stop):
        subject.add(index)
        if index % sample_every == 0:
            largest = max(largest, subject.size())
    return largest


def check_bounded(
    subject: BoundedSubject, inserts: int = SESSIONS, sample_every: int = SAMPLE_EVERY, max_growth: float = MAX_GROWTH
) -> BoundedResult:
    """Add ``inserts`` entries; bounded means never above ``subject.bound`` entries and no bytes
    still accumulating (tracemalloc) over the second half of the sessions."""
    start = time.perf_counter()
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    try:
        half = inserts // 2
        largest = _fill(subject, 0, half, sample_every)
        early = tracemalloc.get_traced_memory()[0]
        largest = max(largest, _fill(subject, half, inserts, sample_every))
        late = tracemalloc.get_traced_memory()[0]
    finally:
        if not tracing:
            tracemalloc.stop()
    final = subject.size()
    growth = (late - early) / max(inserts - half, 1)
    return BoundedResult(
        subject.name,
        inserts,
        subject.bound,
        max(largest, final),
        final,
        round(growth, 2),
        max_growth,
        round(time.perf_counter() - start, 3),
    )


def _checked(subject: BoundedSubject, inserts: int) -> BoundedResult:
    """``check_bounded``, with a structure that rejects the calls reported as a harness error."""
    try:
        return check_bounded(subject, inserts)
    except Exception as exc:  # the structure's own API is outside the harness's control
        raise GateError(f"memory: bounded check of {subject.name} failed: {exc!r}") from exc


def _reason(results: list[BoundedResult], inserts: int) -> str:
    failed = [r for r in results if not r.passed]
    if failed:
        return "; ".join(
            f"{r.name} held {r.max_size} entries (bound {r.bound}), still growing "
            f"{r.growth_bytes_per_session} B per session"
            for r in failed
        )
    if not results:
        return "no session structures to check"
    return f"{', '.join(r.name for r in results)} bounded over {inserts} sessions"


def bounded_gate(subjects: list[BoundedSubject], inserts: int = SESSIONS) -> GateResult:
    """Every subject stays within its bound while ``inserts`` sessions come and go."""
    results = [_checked(subject, inserts) for subject in subjects]
    passed = all(r.passed for r in results)
    return GateResult(
        name="bounded",
        passed=passed,
        summary="session structures stay bounded" if passed else "session structures grow without bound",
        reason=_reason(results, inserts),
        figures={r.name: asdict(r) | {"passed": r.passed} for r in results},
        thresholds={r.name: r.bound for r in results} | {"sessions": inserts},
    )
