"""The candidate check itself: a changed field is caught and named; waivers cover it; unused ones fail."""

from __future__ import annotations

import json

from golden_support import candidate_report, observation_of, stored_snapshot
from harness.waivers import Waiver

RECORDING = "login_errors"


def _edited() -> tuple[dict, dict]:
    stored = stored_snapshot(RECORDING)
    edited = json.loads(json.dumps(stored))
    frame = json.loads(edited["c1"]["frames"][1])
    frame["error_message"] = "Invalid user name or password"
    edited["c1"]["frames"][1] = json.dumps(frame)
    return stored, edited


def test_a_changed_error_message_is_named():
    stored, edited = _edited()
    differences, lines = candidate_report(RECORDING, observation_of(stored, RECORDING),
                                          observation_of(edited, RECORDING), [], "candidate")
    assert [(d.recording, d.client, d.frame, d.path, d.kind) for d in differences] == [
        (RECORDING, "c1", 1, "$.error_message", "changed")]
    assert any("login_errors c1 frame 1 $.error_message (changed)" in line for line in lines)


def test_a_waiver_covers_it_and_an_unused_waiver_fails():
    stored, edited = _edited()
    waiver = Waiver(RECORDING, "$.error_message", "wording fixed", client="c1", source="waivers.toml:1")
    unused = Waiver(RECORDING, "$.timestamp", "stale", source="waivers.toml:5")
    differences, _ = candidate_report(RECORDING, observation_of(stored, RECORDING),
                                      observation_of(edited, RECORDING), [waiver], "candidate")
    assert differences == []
    differences, lines = candidate_report(RECORDING, observation_of(stored, RECORDING),
                                          observation_of(stored, RECORDING), [unused], "candidate")
    assert [d.kind for d in differences] == ["unused_waiver"]
    assert any("unused waiver" in line for line in lines)


def test_the_snapshot_form_round_trips():
    stored = stored_snapshot("echo")
    from golden_support import snapshot_of
    assert snapshot_of(observation_of(stored, "echo")) == stored
