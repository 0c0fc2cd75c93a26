"""The corpus and its index stay in step with the scenario scripts."""

from __future__ import annotations

import importlib.util

import pytest

from golden_support import ROOT, corpus_files


@pytest.fixture(scope="module")
def make_index():
    spec = importlib.util.spec_from_file_location("wsgm_make_index", ROOT / "scenarios" / "make_index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scenarios(make_index):
    from harness.scenario import load_scenarios
    return {"fast": load_scenarios([make_index.SCENARIOS]), "slow": load_scenarios([make_index.SLOW])}


def test_index_is_current(make_index):
    current = make_index.INDEX.read_text(encoding="utf-8")
    assert current == make_index.render(), "recordings/README.md is stale: run python scenarios/make_index.py"


@pytest.mark.parametrize("kind", ["fast", "slow"])
def test_one_recording_per_scenario(scenarios, kind):
    names = {sc.name for sc in scenarios[kind]}
    recorded = {path.stem for path in corpus_files(slow=kind == "slow")}
    assert names - recorded == set(), "scenarios without a recording: record them"
    assert recorded - names == set(), "recordings without a scenario: delete them or restore the scenario"


def test_every_scenario_says_what_it_covers(scenarios):
    for sc in scenarios["fast"] + scenarios["slow"]:
        assert (sc.fn.__doc__ or "").strip(), f"{sc.name}: no docstring"
        assert sc.tags, f"{sc.name}: no tags"
