"""Sync points and the recording's own observation (no sockets)."""

from harness import transcript as wsgm
from harness.observation import expected_observation
from harness.syncpoints import plan
from harness_support import jsonl

T = wsgm.loads(
    jsonl(
        '{"kind":"connect","client":"c1"}',
        '{"kind":"recv","client":"c1","text":"w1"}',
        '{"kind":"connect","client":"c2"}',
        '{"kind":"recv","client":"c2","text":"w2"}',
        '{"kind":"recv","client":"c1","text":"joined"}',
        '{"kind":"send","client":"c2","text":"hi"}',
        '{"kind":"sleep","ms":5}',
        '{"kind":"closed","client":"c1","code":4001,"reason":""}',
        '{"kind":"close","client":"c2","code":1000}',
        '{"kind":"closed","client":"c2","code":1000}',
    )
)


def test_plan_counts_frames_before_each_action():
    steps, final = plan(T)
    assert [s.event.kind for s in steps] == ["connect", "connect", "send", "sleep", "close"]
    assert steps[1].before.frames == {"c1": 1}
    assert steps[2].before.frames == {"c1": 2, "c2": 1}
    assert steps[4].before.closes == {"c1": 1}
    assert final.closes == {"c1": 1, "c2": 1}
    assert final.reached_by({"c1": 2, "c2": 1}, {"c1": 1, "c2": 1})
    assert not steps[2].before.reached_by({"c1": 1, "c2": 1}, {})
    assert steps[2].before.missing({"c1": 1, "c2": 1}, {}) == "c1 frame 2/2"


def test_expected_observation():
    expected = expected_observation(T)
    assert [f.text for f in expected.clients["c1"].frames] == ["w1", "joined"]
    assert expected.clients["c1"].close_codes == (4001,)
    assert expected.clients["c2"].close_codes == (1000,)
