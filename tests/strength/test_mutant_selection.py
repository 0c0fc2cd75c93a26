"""Coverage-guided selection: which recordings a mutant runs against, and the Wilson interval."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import HarnessConfig
from harness.noise import NoiseSpec
from harness.strength import mutation
from harness.strength.baseline import Baseline, Expected, build
from harness.strength.equivalents import Matched
from harness.strength.linecover import LineCoverage, select
from harness.strength.mutants import Mutant, mutants
from harness.strength.mutation import MutationOptions, Run
from harness.strength.stats import wilson
from harness.transcript import Meta, Transcript

SOURCE = 'X = 1\n\n\ndef f(a=2):\n    if (a and\n            a == 3):\n        return {"k":\n            4}\n    return 5\n'


def test_sites_know_their_statement_and_import_time():
    found = {(m.line, m.description): m for m in mutants("m.py", SOURCE)}
    assert not found[(1, "Integer '1'")].in_function and not found[(4, "Integer '2'")].in_function
    inner = found[(6, "Equal ' == '")]
    assert inner.in_function and inner.statement == 5
    assert found[(8, "Integer '4'")].statement == 7


def _site(line: int, statement: int, in_function: bool = True) -> Mutant:
    return Mutant("m.py", 0, line, "Integer '1'", 0, statement, in_function)


def _cover(path: str = "m.py") -> LineCoverage:
    absolute = str(Path(path).resolve())
    return LineCoverage({absolute: {5: frozenset({"a", "b"}), 9: frozenset({"c"})}},
                        {absolute: frozenset({1, 4, 5, 7, 9})})


EVERY = frozenset({"a", "b", "c"})


@pytest.mark.parametrize("site, kind, keys", [
    (_site(6, 5), "covered", {"a", "b"}),
    (_site(9, 9), "covered", {"c"}),
    (_site(8, 7), "not covered", set()),
    (_site(1, 1, in_function=False), "import time", EVERY),
    (_site(3, 3), "unmeasured line", EVERY),
])
def test_selection_by_line_coverage(site, kind, keys):
    chosen = select(site, _cover(), EVERY)
    assert (chosen.kind, set(chosen.keys)) == (kind, set(keys))


def _item(name: str, seconds: float) -> Expected:
    transcript = Transcript(Meta(name=name, recorded_against="test"), (), path=name)
    return Expected(transcript, NoiseSpec(), None, frozenset(), seconds)


def test_a_mutant_runs_only_the_recordings_that_execute_its_line(tmp_path, monkeypatch):
    module = tmp_path / "pkg" / "m.py"
    module.parent.mkdir()
    module.write_text(SOURCE)
    base = Baseline((_item("c", 0.1), _item("b", 0.2), _item("a", 0.3)), _cover(str(module)), 1.0)
    jobs = []
    monkeypatch.setattr(mutation, "run_job", lambda job, timeout: jobs.append(job) or {"killed": True, "by": "x"})
    run = Run(MutationOptions(), HarnessConfig(), module.parent, base, Matched({}, []), float("inf"))
    sites = {m.statement: m for m in mutants(str(module), SOURCE) if m.in_function}
    uncovered = run.mutant(sites[7])
    assert not uncovered.killed and uncovered.selection == "not covered" and jobs == []
    covered = run.mutant(sites[5])
    assert covered.killed and covered.covered_by == 2
    assert [item.key for item in jobs[0].baseline] == ["b", "a"]  # fastest first


def test_timeout_scales_with_the_recordings_chosen():
    options = MutationOptions(mutant_timeout=120)
    assert mutation.timeout_for([_item("a", 1.0), _item("b", 2.0)], options) == 42.0
    assert mutation.timeout_for([_item("a", 100.0)], options) == 120


@pytest.mark.parametrize("k, n, interval", [
    (34, 40, (70.9, 92.9)), (0, 10, (0.0, 27.8)), (10, 10, (72.2, 100.0)), (0, 0, (0.0, 100.0)),
])
def test_wilson_interval(k, n, interval):
    assert wilson(k, n) == interval


def test_baseline_records_lines_and_durations(tiny, ping_corpus, fast):
    base = build("tinyws.server:Server", "tinyws.server:Server", [ping_corpus, ping_corpus], fast,
                 tiny.parent, [tiny])
    assert len(base.items) == 1 and base.items[0].seconds > 0 and base.items[0].known == frozenset()
    key = base.items[0].key
    assert base.coverage.executed_by(str(tiny), 10) == {key}  # the length check runs
    assert base.coverage.executed_by(str(tiny), 15) == frozenset()  # "never" is never asked
