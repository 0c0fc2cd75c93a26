"""``TradingSubject``: the worked subject's hooks into the generic gates."""

from __future__ import annotations

from typing import Sequence

from harness.gates.memory.bounded import BoundedSubject
from harness.subject import Subject
from harness.targets import parse_target
from subject_trading.structures import refactored_structures
from subject_trading.workloads import RigWorkload, fan_out_workload

SUBSCRIBERS = 20
QUICK_SUBSCRIBERS = 10
BOUNDED_PACKAGE = "refactored"  # the candidate whose structures this plug-in knows


class TradingSubject(Subject):
    """Broadcast fan-out in the bench; the refactored package's structures in the memory gate."""

    def bench_workloads(self, quick: bool) -> Sequence[RigWorkload]:
        return (fan_out_workload(QUICK_SUBSCRIBERS if quick else SUBSCRIBERS),)

    def bounded_structures(self, candidate: str) -> Sequence[BoundedSubject]:
        spec = parse_target(candidate)
        if not spec.in_process or spec.module.split(".")[0] != BOUNDED_PACKAGE:
            return ()
        return refactored_structures()
