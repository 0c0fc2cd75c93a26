"""The golden master of a cluster: the one legacy process against two refactored instances on
one Redis (`cluster:2:refactored`), waivers for clusters applied (recordings/waivers.toml,
docs/WAIVERS.md). The cross-instance recordings run by default; the whole corpus is slow."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.config import ClusterConfig, load_config
from harness.corpus import compare_corpus
from harness.textreport import render

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT / "recordings"
CANDIDATE = "cluster:2:refactored"


def cluster_config(redis_url: str):
    config = load_config(ROOT / "pyproject.toml")
    return replace(config, cluster=ClusterConfig(redis_url, config.cluster.settings), concurrency=8)


def cross_instance_recordings() -> list[Path]:
    return sorted(RECORDINGS.glob("cluster_*.jsonl"))


def test_the_corpus_has_cross_instance_recordings() -> None:
    names = {path.stem for path in cross_instance_recordings()}
    assert {"cluster_reconnect_other_instance", "cluster_broadcast", "cluster_reconnect_backtest_queued"} <= names


@pytest.mark.timeout(300)
async def test_cross_instance_recordings_match_the_legacy(redis_server) -> None:
    result = await compare_corpus("legacy", CANDIDATE, cross_instance_recordings(), cluster_config(redis_server.url))
    assert result.ok, render(result)
    assert not result.waived_count, "the cross-instance recordings need no waiver"
    assert len(result.recordings) == len(cross_instance_recordings())


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_whole_corpus_matches_the_legacy_apart_from_cluster_waivers(redis_server) -> None:
    result = await compare_corpus("legacy", CANDIDATE, [RECORDINGS], cluster_config(redis_server.url))
    assert result.ok, render(result)
    assert any(w.waiver.candidate == "cluster:*" for r in result.recordings for w in r.waived)
