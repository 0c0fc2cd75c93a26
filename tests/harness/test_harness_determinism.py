"""The golden run under the default configuration is deterministic: legacy against legacy gives
0 differences over 20 whole-corpus runs (slow: select with -m slow)."""

from __future__ import annotations

import time

import pytest

from harness.config import load_config
from harness.corpus import compare_corpus_sync

RUNS = 20


@pytest.mark.slow
@pytest.mark.timeout(RUNS * 180)
def test_legacy_against_legacy_has_no_difference_over_20_runs(capsys):
    config = load_config()
    recordings = [config.resolve(config.recordings)]
    walls, failures = [], []
    for index in range(RUNS):
        began = time.perf_counter()
        result = compare_corpus_sync(config.legacy, config.legacy, recordings, config)
        walls.append(time.perf_counter() - began)
        if result.unwaived_count:
            failures.append(f"run {index + 1}: {result.summary()}: "
                            + ", ".join(r.name for r in result.recordings if not r.ok))
    with capsys.disabled():
        print(f"\n{RUNS} runs at concurrency {config.concurrency}: wall "
              f"min {min(walls):.1f} s, median {sorted(walls)[RUNS // 2]:.1f} s, max {max(walls):.1f} s")
    assert not failures, "\n".join(failures)
