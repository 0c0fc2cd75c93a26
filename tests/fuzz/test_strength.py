"""Strength of the golden master on a tiny corpus: coverage figures, mutants, the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import transcript as wsgm
from harness.cli import main
from harness.config import Timeouts
from harness.fuzz.model import SessionModel
from harness.strength import baseline, report
from harness.strength.coverage_run import branch_ranges, measure
from harness.strength.mutants import mutants, mutate
from harness.strength.equivalents import Matched
from harness.strength.mutation import MutationOptions, Run, module_name, run_job
from harness.strength.worker import Job
from subject_trading.config import harness_config

FAST = harness_config(timeouts=Timeouts(connect=2.0, frame=2.0, quiet=0.05, quiet_max=1.0,
                                       recording=10.0, start=2.0, close=1.0))
ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = ROOT / "refactored" / "handlers" / "protocol.py"


@pytest.fixture
def corpus(tmp_path) -> Path:
    model = SessionModel()
    client = model.connect()
    model.send(client, '{"type":"ping","id":1}')
    model.send(client, '{"type":"login","username":"trader","password":"<redacted:password>"}')
    wsgm.write(model.transcript("ping_and_login"), tmp_path / "corpus" / "ping_and_login.jsonl")
    return tmp_path / "corpus"


def test_coverage_of_both_targets(corpus):
    legacy, candidate = measure(["legacy", "refactored"], [corpus], FAST)
    assert legacy.package == "legacy" and candidate.package == "refactored"
    assert 0 < legacy.covered_lines < legacy.statements
    assert 0 < legacy.covered_branches < legacy.branches
    assert legacy.missing_branches[0].startswith("legacy/")


def test_branch_ranges_merge_neighbouring_lines():
    assert branch_ranges("a.py", [[3, 4], [4, -1], [9, 11]]) == ["a.py:3-4", "a.py:9"]


def test_module_names_from_any_path():
    package = ROOT / "refactored"
    assert module_name(package / "handlers" / "auth.py", package) == "refactored.handlers.auth"
    assert module_name(Path("refactored/app.py"), package) == "refactored.app"


def test_mutants_point_at_their_line():
    source = 'def f(a):\n    """Doc."""\n    return a == 1 and not a\n'
    found = mutants("m.py", source)
    assert {m.line for m in found} == {3}
    assert mutate(source, found[0].index) != source
    assert all(mutate(source, m.index) != source for m in found)


def test_mutant_killed_and_original_survives(corpus):
    package = ROOT / "refactored"
    base = baseline.build("legacy", "refactored", [corpus], FAST, package, [PROTOCOL])
    source = PROTOCOL.read_text(encoding="utf-8")
    pong = next(m for m in mutants(str(PROTOCOL), source) if "pong" in m.description)
    run = Run(MutationOptions(mutant_timeout=60), FAST, package, base, Matched({}, []), float("inf"))
    killed = run.mutant(pong)
    assert killed.killed and killed.by == "ping_and_login" and killed.selection == "covered"
    original = Job("refactored", "refactored.handlers.protocol", str(PROTOCOL.resolve()), source, FAST,
                   list(base.items))
    assert run_job(original, 60) == {"killed": False, "by": None}


def test_strength_report_keeps_sections_and_trend(tmp_path, corpus):
    out = tmp_path / "strength.json"
    mutation = {"score_percent": 80.0, "survivors": []}
    report.update(out, "mutation", mutation)
    report.update(out, "mutation", {**mutation, "score_percent": 90.0})
    assert main(["strength", str(corpus), "--out", str(out), "--quiet"]) == 0
    data = json.loads(out.read_text())
    assert data["mutation"]["score_percent"] == 90.0
    assert data["trend"]["mutation_score_percent"] == {"previous": 80.0, "now": 90.0, "change": 10.0}
    assert {t["target"] for t in data["coverage"]["targets"]} == {"legacy", "refactored"}
    assert len(data["history"]) == 3
