"""Golden-master tests: the normalised legacy output of each recording is the snapshot.

`<recording>-legacy` checks that a third legacy run matches the first (no false noise) and compares
this run's legacy output with the stored snapshot (the only place snapshots are written, with
`--snapshot-update`). The candidate of the corpus in `recordings/` is checked by the wsgm pytest
plugin (`--golden`, in this project's `addopts`): one test per recording, `recordings/<name>.jsonl::<name>`,
legacy against candidate with the declared waivers, as `harness diff` does. The slow recordings
(`slow_recordings/`, outside the corpus) keep `<recording>-<candidate>` here: the candidate's output
against the stored legacy snapshot, with the waivers; it never writes.
Slow cases (`slow_recordings/`, the 20-fold legacy-against-legacy run) need `-m slow`.
"""

from __future__ import annotations

import os

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from golden_support import (LEARNING, candidate_report, compare_legacy_twice, corpus_files, coverage_line,
                            golden_config, load_corpus_waivers, observation_of, snapshot_of, stored_snapshot)

CONFIG = golden_config()
TARGETS = ("legacy", CONFIG.candidate)
MIN_LINE_COVERAGE = 90.0


def _params():
    """The legacy case of every recording; the candidate case of the slow ones (the plugin's
    `--golden` tests cover the candidate on the corpus)."""
    for slow, marks in ((False, [pytest.mark.golden]), (True, [pytest.mark.golden, pytest.mark.slow])):
        for path in corpus_files(slow=slow):
            for target in TARGETS if slow else TARGETS[:1]:
                yield pytest.param(path.stem, target, id=f"{path.stem}-{target}", marks=marks)


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.timeout(900)
@pytest.mark.parametrize(("recording", "target"), list(_params()))
def test_golden(recording, target, golden_corpus, snapshot_json, request):
    outcome = golden_corpus.get().outcomes[recording]
    if target == CONFIG.legacy:
        assert LEARNING not in outcome.failures, outcome.failures[LEARNING]
        assert not outcome.noise.unstable, f"legacy output is not stable between runs: {outcome.noise.unstable}"
        _check_candidate(recording, target, outcome, snapshot_of(outcome.legacy), [])  # no false noise
        assert snapshot_of(outcome.legacy) == snapshot_json
        return
    stored = stored_snapshot(recording)
    if stored is None:
        pytest.fail(f"no golden snapshot for {recording}: run `pytest tests/golden -k legacy --snapshot-update`")
    _check_candidate(recording, target, outcome, stored, load_corpus_waivers(CONFIG))


def _check_candidate(recording, target, outcome, expected, waivers):
    """`target`'s run against `expected` (a snapshot form): no unwaived difference."""
    assert target not in outcome.failures, f"{target} failed: {outcome.failures[target]}"
    differences, lines = candidate_report(recording, observation_of(expected, recording), outcome.candidates[target],
                                          waivers, target)
    assert not differences, "\n".join(lines)


@pytest.mark.golden
@pytest.mark.needs_whole_corpus
@pytest.mark.timeout(900)
def test_legacy_coverage(golden_corpus):
    """Replaying the corpus covers at least 90% of the legacy module's lines (figures in the summary)."""
    run = golden_corpus.get()
    if run.coverage is None:
        pytest.skip(coverage_line(run))
    print(coverage_line(run))
    assert 100 * run.coverage["lines"] / run.coverage["statements"] >= MIN_LINE_COVERAGE, coverage_line(run)


@pytest.mark.golden
@pytest.mark.timeout(3600)
@pytest.mark.slow
@pytest.mark.parametrize("repeats", [
    pytest.param(int(os.environ.get("WSGM_GOLDEN_REPEATS", "20")), id="repeated"),
])
def test_legacy_against_itself(repeats):
    """`harness diff` with the legacy on both sides, `repeats` times, finds no difference (no false noise).

    The default run checks the same once per recording: each `-legacy` case diffs a third legacy
    run against the first with the learned noise."""
    failures = compare_legacy_twice(repeats, CONFIG)
    assert not failures, "\n".join(failures)
