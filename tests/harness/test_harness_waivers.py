"""Waivers: loading, matching, unused detection, errors with path:line."""

import pytest

from harness.diff import Difference
from harness.errors import ConfigError
from harness.waivers import apply_waivers, load_waivers, unused_waivers

TOML = """# intended differences
[[waiver]]
recording = "stats"
path = "$.connections.by_state.connecting"
reason = "ghost connections fixed"

[[waiver]]
recording = "orders"
client = "c2"
frame = 3
path = "$.data.items"
reason = "sorted now"

[[waiver]]
recording = "other"
path = "$"
reason = "never matches"
"""


def test_load_apply_and_unused(tmp_path):
    path = tmp_path / "waivers.toml"
    path.write_text(TOML)
    waivers = load_waivers(path)
    assert [w.source for w in waivers] == [f"{path}:2", f"{path}:7", f"{path}:14"]
    diffs = [
        Difference("stats", "c1", "changed", 2, 2, "$.connections.by_state.connecting", 1, 0),
        Difference("orders", "c2", "changed", 3, 3, "$.data.items[4].id", "a", "b"),
        Difference("orders", "c1", "changed", 3, 3, "$.data.items[4].id", "a", "b"),
    ]
    unwaived, waived = apply_waivers(diffs, waivers)
    assert unwaived == [diffs[2]]
    assert [w.waiver.recording for w in waived] == ["stats", "orders"]
    assert unused_waivers(waivers, waived, {"stats", "orders", "other"}) == [waivers[2]]
    assert unused_waivers(waivers, waived, {"stats", "orders"}) == []


def test_missing_file_means_no_waivers(tmp_path):
    assert load_waivers(tmp_path / "none.toml") == []


@pytest.mark.parametrize(
    "body, line, reason",
    [
        ('[[waiver]]\nrecording = "x"\npath = "$.a"\n', 1, "needs 'reason'"),
        ('\n[[waiver]]\nrecording = "x"\npath = "a"\nreason = "r"\n', 2, "must be a JSON path"),
        ('[[waiver]]\nrecording = "x"\npath = "$"\nreason = "r"\nframe = "3"\n', 1, "'frame' must be int"),
        ('[[waiver]]\nrecording = "x"\npath = "$"\nreason = "r"\ncolour = 1\n', 1, "unknown waiver field"),
        ("[waivers]\n", 1, "unknown table"),
        ("[[waiver]\n", 1, "bad TOML"),
    ],
)
def test_bad_waivers(tmp_path, body, line, reason):
    path = tmp_path / "waivers.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as info:
        load_waivers(path)
    assert str(info.value).startswith(f"{path}:{line}: ") and reason in str(info.value)


SCOPED = """[[waiver]]
recording = "stats"
path = "$.a"
reason = "every candidate"

[[waiver]]
recording = "stats"
candidate = "cluster:*"
path = "$.b"
reason = "only clusters"

[[waiver]]
recording = "stats"
candidate = "cluster:2:refactored"
path = "$.c"
reason = "only that cluster"
"""


@pytest.mark.parametrize("candidate, paths", [
    (None, ["$.a"]),
    ("refactored", ["$.a"]),
    ("cluster:3:refactored", ["$.a", "$.b"]),
    ("cluster:2:refactored", ["$.a", "$.b", "$.c"]),
])
def test_a_waiver_naming_a_candidate_is_only_for_its_runs(tmp_path, candidate, paths):
    path = tmp_path / "waivers.toml"
    path.write_text(SCOPED)
    waivers = load_waivers(path, candidate)
    assert [w.path for w in waivers] == paths
    # left out, it is never reported unused in another candidate's run
    assert unused_waivers(waivers, [], {"stats"}) == waivers


def test_a_bad_candidate_pattern_is_located(tmp_path):
    path = tmp_path / "waivers.toml"
    path.write_text('[[waiver]]\nrecording = "x"\npath = "$"\nreason = "r"\ncandidate = 2\n')
    with pytest.raises(ConfigError, match=r"waivers.toml:1: .*'candidate' must be str"):
        load_waivers(path)
