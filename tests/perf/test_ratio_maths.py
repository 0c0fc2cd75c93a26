"""Interleaving order, paired ratios, percentiles and the target verdicts."""

from __future__ import annotations

import pytest

from benchmarks import report
from benchmarks.interleave import interleave, median_ratio, orders
from benchmarks.latency import percentiles


def test_orders_balance_positions():
    names = ["legacy", "refactored", "echo"]
    cycle = orders(names)
    assert len(cycle) == 6 and all(sorted(o) == sorted(names) for o in cycle)
    for position in range(3):
        counts = {n: sum(o[position] == n for o in cycle) for n in names}
        assert set(counts.values()) == {2}


def test_median_of_paired_ratios_not_ratio_of_medians():
    a = [1.0, 2.0, 10.0]
    b = [2.0, 4.0, 1.0]
    spread = median_ratio(a, b)
    assert spread.median == 0.5
    assert spread.minimum == 0.5 and spread.maximum == 10.0


class _Fixed:
    """A workload whose rounds report their own (made-up) duration per server."""

    name, unit = "fake", "op"

    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds
        self.calls: list[str] = []

    async def run(self, rig, n):
        self.calls.append(rig)
        return self.seconds[rig] * n


async def test_interleave_pairs_rounds_and_skips_warmup():
    work = _Fixed({"legacy": 0.02, "refactored": 0.01, "echo": 0.008})
    timings = await interleave(work, {k: k for k in ("legacy", "refactored", "echo")}, rounds=6, iterations=2, warmup=2)
    assert len(work.calls) == 8 * 3
    assert [len(v) for v in timings.rounds.values()] == [6, 6, 6]
    data = timings.to_dict()
    assert data["time_ratios"]["refactored/legacy"]["median"] == 0.5
    assert data["time_ratios"]["refactored/echo"]["median"] == 1.25
    assert data["servers"]["legacy"]["seconds_per_op"]["median"] == pytest.approx(0.02)
    assert data["servers"]["echo"]["ops_per_second"] == 125.0
    # first rounds of the cycle: every server leads once before any leads twice
    firsts = [work.calls[i * 3] for i in range(3)]
    assert sorted(firsts) == ["echo", "legacy", "refactored"]


def test_percentiles_nearest_rank():
    values = [i / 1000 for i in range(1, 101)]  # 1..100 ms
    p = percentiles(values)
    assert (p["p50"], p["p90"], p["p99"], p["p99.9"]) == (50.0, 90.0, 99.0, 100.0)


def _results(pipelined_ratio: float, corpus_ratio: float, b100: float, b1000: float, overhead: float) -> dict:
    def workload(ratios, refactored_seconds=1e-3):
        return {"unit": "op", "iterations": 1, "time_ratios": {k: {"median": v, "q1": v, "q3": v} for k, v in ratios.items()},
                "servers": {"refactored": {"seconds_per_op": {"median": refactored_seconds}, "ops_per_second": 1, "rounds": [1]}}}
    return {"workloads": {"pipelined": workload({"refactored/echo": pipelined_ratio}),
                          "corpus_replay": workload({"refactored/legacy": corpus_ratio}),
                          "broadcast_100": workload({}, b100), "broadcast_1000": workload({}, b1000)},
            "dispatch": [{"message": "ping", "routing_overhead_us": overhead, "per_message_us": {}}]}


@pytest.mark.parametrize("met", [True, False])
def test_target_verdicts(met):
    good = _results(1 / 0.8, 0.69, 4e-3, 49e-3, 4.9)
    bad = _results(1 / 0.7, 0.71, 6e-3, 51e-3, 5.1)
    rows = report.targets_table(good if met else bad)
    verdicts = [r.rsplit("|", 2)[1].strip() for r in rows[2:] if "not measured" not in r]
    assert verdicts == ["**met**" if met else "**missed**"] * 5


def test_report_section_replaces_only_the_markers(tmp_path):
    doc = tmp_path / "P.md"
    doc.write_text(f"intro\n{report.BEGIN}\nold\n{report.END}\noutro\n")
    report.update_doc(doc, f"{report.BEGIN}\nnew\n{report.END}")
    assert doc.read_text() == f"intro\n{report.BEGIN}\nnew\n{report.END}\noutro\n"


def test_profile_rows_exclude_idle_and_group(tmp_path):
    import cProfile
    import json

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(200):
        json.dumps({"type": "pong", "id": 1})
    profiler.disable()
    path = tmp_path / "profile-echo.pstats"
    profiler.dump_stats(path)
    busy, groups, own = report.profile_rows(path)
    assert busy > 0 and "json" in groups
    assert sum(groups.values()) == pytest.approx(busy)
    assert own == []  # no server code in this profile
    assert "**echo**" in "\n".join(report.profiles_markdown(tmp_path))
