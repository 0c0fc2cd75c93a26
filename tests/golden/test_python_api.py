"""The corpus sees the Python side: a candidate whose public methods return something else, or that
publishes nothing on its event bus, fails `harness diff`."""

from __future__ import annotations

import pytest

from golden_support import ROOT
from harness.cli import main

RECORDINGS = ROOT / "recordings"
CANDIDATES = "python_api_candidates"


def _diff(candidate: str, *recordings: str) -> int:
    paths = [str(RECORDINGS / f"{name}.jsonl") for name in recordings] or [str(RECORDINGS)]
    return main(["diff", "--legacy", "legacy", "--candidate", candidate,
                 "--config", str(ROOT / "pyproject.toml"), *paths])


@pytest.mark.parametrize(
    "candidate, recording, stream",
    [
        ("BroadcastsOneMore", "api_broadcast", "@calls"),
        ("StatsWithoutSubscriptions", "api_stats_and_health", "@calls"),
        ("PublishesNothing", "api_events_sessions_and_collections", "@events"),
    ],
)
def test_a_python_side_difference_fails_the_diff(candidate, recording, stream, capsys):
    assert _diff("refactored", recording) == 0
    capsys.readouterr()
    assert _diff(f"{CANDIDATES}:{candidate}", recording) == 1
    assert f"{recording} {stream} frame" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("candidate", ["BroadcastsOneMore", "StatsWithoutSubscriptions"])
def test_the_whole_corpus_fails_such_a_candidate(candidate):
    assert _diff(f"{CANDIDATES}:{candidate}") == 1
