"""The session generator, the last minimising pass, waivers as the fuzzer sees them, the writer."""

from __future__ import annotations

from hypothesis.stateful import run_state_machine_as_test

from harness import transcript as wsgm
from harness.corpus import RecordingResult
from harness.diff import Difference
from harness.fuzz.known import Exclusions, exclusions, path_waivers
from harness.fuzz.machine import machine_class
from harness.fuzz.minimise import minimise
from harness.fuzz.model import MODES, SESSION_NAME, SessionModel
from harness.fuzz.runner import hypothesis_settings
from harness.fuzz.writer import found_transcript, write_found
from harness.waivers import Waiver


def _generate(seed: int, examples: int = 15, excluded: Exclusions = Exclusions()) -> list[str]:
    seen: list[str] = []
    machine = machine_class(lambda t: seen.append(wsgm.dumps(t)), seed, 20.0, excluded)
    run_state_machine_as_test(machine, settings=hypothesis_settings(examples))
    return seen


def test_same_seed_same_sessions():
    assert _generate(7) == _generate(7)
    assert _generate(7) != _generate(8)


def test_generated_sessions_are_valid_bounded_transcripts():
    for text in _generate(3, 25):
        transcript = wsgm.loads(text)
        actions = [e for e in transcript.events if e.kind != "sleep"]
        assert 1 <= len(actions) <= 14  # the first connect (+ login) and at most 12 rules
        assert not transcript.has_recv
        assert transcript.meta.name == SESSION_NAME


def test_forged_reconnects_left_out_when_waived():
    sessions = _generate(11, 40, Exclusions(forged_reconnect=True))
    assert not any(":forged" in s for s in sessions)
    assert any(":forged" in s for s in _generate(11, 40))


def test_settle_pause_before_other_clients_and_issued_references():
    model = SessionModel(MODES[0], settle_ms=20)
    c1 = model.connect()
    model.send(c1, '{"type":"ping"}')
    model.send(c1, '{"type":"ping"}')
    c2 = model.connect()
    model.send(c2, '{"type":"reconnect","reconnect_token":"<issued:c1:reconnect_token:1>"}')
    kinds = [e.kind for e in model.transcript().events]
    assert kinds == ["connect", "send", "send", "sleep", "connect", "sleep", "send"]


def test_minimise_drops_actions_that_do_not_matter():
    model = SessionModel(MODES[0])
    c1 = model.connect()
    model.send(c1, '{"type":"ping"}')
    c2 = model.connect()
    model.send(c2, '{"type":"version"}')
    model.close(c1)
    small = minimise(model.transcript(), lambda t: any("version" in (e.text or "") for e in t.events))
    assert [(e.kind, e.client) for e in small.events] == [("connect", "c2"), ("send", "c2")]


def test_waivers_as_the_fuzzer_sees_them():
    whole = Waiver("hostile_reconnect_forged_unsafe", "$", "forged tokens")
    path = Waiver("stats", "$.result.connections", "ghosts", client="c1", frame=3)
    assert exclusions([whole, path]) == Exclusions(forged_reconnect=True)
    assert exclusions([path]) == Exclusions()
    [anywhere] = path_waivers([whole, path])
    assert (anywhere.recording, anywhere.client, anywhere.frame) == (SESSION_NAME, None, None)


def test_found_transcript_says_what_differs(tmp_path):
    model = SessionModel(MODES[0])
    model.send(model.connect(), '{"type":"version"}')
    result = RecordingResult(SESSION_NAME, "", differences=[
        Difference(SESSION_NAME, "c1", "changed", 1, 1, "$.build", "<absent>", "planted")])
    tags = found_transcript(model.transcript(), result, "legacy", "cand").meta.tags
    assert 'differs: c1 frame 1 $.build (changed): "<absent>" -> "planted"' in tags
    path = write_found(model.transcript(), result, tmp_path, "legacy", "cand")
    loaded = wsgm.load(path)
    assert loaded.name == path.stem and "found" in loaded.meta.tags
