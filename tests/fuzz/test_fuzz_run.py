"""The fuzzer against real targets: planted differences are found, shrunk and written; clean pairs pass."""

from __future__ import annotations

import json

import pytest

from harness import transcript as wsgm
from harness.cli import main
from harness.config import HarnessConfig
from harness.errors import HarnessError
from harness.fuzz.runner import FuzzOptions, corpus_model, run_fuzz
from subject_trading.config import harness_config

SUBJECT = harness_config()  # the worked subject: its passwords and issued values
PLANTED = "fuzz_planted:PlantedServer"
PLANTED_FAST = "fuzz_planted:PlantedVersionServer"


def _actions(path):
    return [e for e in wsgm.load(path).events if e.kind != "sleep"]


def test_clean_pair_finds_nothing_and_is_deterministic(tmp_path):
    runs = [run_fuzz(FuzzOptions("legacy", "legacy", max_examples=12, seed=4, out=tmp_path, config=SUBJECT))
            for _ in range(2)]
    assert not any(r.found for r in runs)
    assert runs[0].stats.examples == runs[1].stats.examples == 12
    requests = [{kind: share["requests"] for kind, share in r.success["kinds"].items()} for r in runs]
    assert requests[0] == requests[1]  # the same sessions (how many succeed depends on timing)
    assert runs[0].success["all"]["success_percent"] > 40
    assert not list(tmp_path.iterdir())


def test_planted_difference_is_shrunk_and_written(tmp_path):
    result = run_fuzz(FuzzOptions("legacy", PLANTED_FAST, max_examples=200, time_budget=30, seed=0,
                                  out=tmp_path, config=SUBJECT))
    assert result.found and result.written.parent == tmp_path
    actions = _actions(result.written)
    assert len(actions) <= 3
    assert json.loads(actions[-1].text)["type"] == "version"
    assert any(t.startswith("differs: ") and "$.build" in t for t in wsgm.load(result.written).meta.tags)


def test_planted_collection_stop_found_within_default_budget(tmp_path):
    """The model comes from the corpus alone; an unknown id of a request kind is found."""
    result = run_fuzz(FuzzOptions("legacy", PLANTED, seed=1, out=tmp_path, config=SUBJECT))
    assert result.found and result.found_after[0] <= FuzzOptions().max_examples
    actions = _actions(result.written)
    assert len(actions) <= 4
    assert json.loads(actions[-1].text)["type"] == "collection_stop"
    assert result.result.differences[0].path == "$.error_message"


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_refactored_finds_nothing_within_default_budget(tmp_path):
    result = run_fuzz(FuzzOptions("legacy", "refactored", seed=2, out=tmp_path, config=SUBJECT))
    assert not result.found, result.result and result.result.differences


def test_a_corpus_without_json_requests_is_an_error(tmp_path):
    corpus = tmp_path / "recordings"
    corpus.mkdir()
    (corpus / "text.jsonl").write_text(
        '{"kind":"meta","format":"wsgm/1","name":"text"}\n'
        '{"kind":"connect","client":"c1","t":0}\n{"kind":"send","client":"c1","t":0,"text":"hi"}\n')
    with pytest.raises(HarnessError, match="nothing to generate from"):
        corpus_model(HarnessConfig(recordings="recordings", root=tmp_path), [])


def test_cli_exit_codes(tmp_path, capsys):
    base = ["fuzz", "--legacy", "legacy", "--max-examples", "2", "--seed", "1", "--quiet",
            "--out", str(tmp_path)]
    assert main(base + ["--candidate", "legacy"]) == 0
    assert "no difference found" in capsys.readouterr().out
    assert main(base + ["--candidate", "no.such.module:Server"]) == 2
