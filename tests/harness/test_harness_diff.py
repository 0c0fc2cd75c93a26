"""The differ: changed paths, missing, extra, reordered, close codes (no sockets)."""

import json

from harness.diff import diff_observations, json_changes
from harness.noise import NoiseSpec
from harness.normalise import normalise
from harness.observation import ClientObservation, Frame, Observation


def norm(frames, codes=(1000,), errors=()):
    client = ClientObservation(
        "c1",
        tuple(Frame.of(json.dumps(f) if isinstance(f, dict) else f) for f in frames),
        tuple(codes),
        tuple(errors),
    )
    return normalise(Observation("rec", "t", {"c1": client}), NoiseSpec())


def kinds(diffs):
    return [(d.kind, d.frame, d.actual_frame, d.path) for d in diffs]


def test_equal_means_no_difference():
    assert diff_observations(norm([{"a": 1}]), norm([{"a": 1}])) == []


def test_changed_field_names_frame_and_path():
    diffs = diff_observations(
        norm([{"type": "pong"}, {"type": "error", "error_message": "Invalid"}]),
        norm([{"type": "pong"}, {"type": "error", "error_message": "Wrong"}]),
    )
    assert kinds(diffs) == [("changed", 1, 1, "$.error_message")]
    assert (diffs[0].expected, diffs[0].actual) == ("Invalid", "Wrong")
    assert diffs[0].where == "rec c1 frame 1 $.error_message"


def test_missing_extra_and_reordered():
    left = [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]
    assert kinds(diff_observations(norm(left), norm([{"n": 1}, {"n": 3}, {"n": 4}]))) == [
        ("missing", 1, None, "$")
    ]
    assert kinds(diff_observations(norm(left), norm(left + [{"n": 5}]))) == [("extra", None, 4, "$")]
    moved = diff_observations(norm(left), norm([{"n": 2}, {"n": 1}, {"n": 3}, {"n": 4}]))
    assert [d.kind for d in moved] == ["reordered"]


def test_nested_and_type_changes():
    changes = json_changes({"a": {"b": [1, 2]}, "c": 1, "k": 1}, {"a": {"b": [1]}, "c": "1", "d": None})
    assert changes == [
        ("$.a.b[1]", 2, "<absent>"),
        ("$.c", 1, "1"),
        ("$.k", 1, "<absent>"),
        ("$.d", "<absent>", None),
    ]
    assert json_changes(1, 1.0) == [("$", 1, 1.0)]


def test_key_order_only():
    diffs = diff_observations(norm(['{"a":1,"b":2}']), norm(['{"b":2,"a":1}']))
    assert kinds(diffs) == [("changed", 0, 0, "$")]


def test_close_codes_and_rejections_compared():
    diffs = diff_observations(norm([], codes=(1000,)), norm([], codes=(1011,)))
    assert [(d.kind, d.expected, d.actual) for d in diffs] == [("close_code", [1000], [1011])]
    diffs = diff_observations(norm([], codes=(None,), errors=("http 401",)), norm([], codes=(1000,)))
    assert [d.kind for d in diffs] == ["close_code", "connect"]


def test_non_json_frames_change_as_a_whole():
    diffs = diff_observations(norm(["plain"]), norm(["other"]))
    assert kinds(diffs) == [("changed", 0, 0, "$")]


def test_missing_client():
    expected = norm([{"a": 1}])
    actual = Observation("rec", "t", {})
    diffs = diff_observations(expected, normalise(actual, NoiseSpec()))
    assert [d.kind for d in diffs] == ["missing", "close_code"]


def test_text_report_hunks():
    from harness.diff import Difference
    from harness.textreport import render_difference

    assert render_difference(Difference("r", "c1", "changed", 2, 3, "$.a", 1, "x")) == [
        "@@ r c1 frame 2->3 $.a (changed) @@",
        "-1",
        '+"x"',
    ]
    assert render_difference(Difference("r", "c1", "missing", 2, None, "$", {"a": 1})) == [
        "@@ r c1 frame 2 $ (missing) @@",
        '-{"a": 1}',
    ]
    assert render_difference(Difference("r", "c1", "reordered", 1, 0, "$", "<binary:AA==>")) == [
        "@@ r c1 frame 1->0 $ (reordered) @@",
        " <binary:AA==>",
    ]
    assert render_difference(Difference("r", "c1", "close_code", None, None, "$", [1000], [1011])) == [
        "@@ r c1 $ (close_code) @@",
        "-[1000]",
        "+[1011]",
    ]


def test_text_report_keeps_text_readable_and_lone_surrogates_escaped():
    """A lone surrogate is valid in a JSON string but cannot be written as UTF-8: it stays escaped."""
    from harness.diff import Difference
    from harness.textreport import render_difference

    lines = render_difference(Difference("r", "c1", "changed", 0, 0, "$.text", "caf\u00e9 \ud800", "\U0001F600"))
    assert lines[1:] == ['-"caf\u00e9 \\ud800"', '+"\U0001F600"']
    "\n".join(lines).encode("utf-8")
