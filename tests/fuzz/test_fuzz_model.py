"""The message model inferred from a corpus, the session generator, minimising, the writer, waivers.

The corpus here is a made-up protocol (kinds under `op`, ids under `rid`), so nothing below
depends on the worked subject's names.
"""

from __future__ import annotations

import json

from harness import transcript as wsgm
from harness.corpus import RecordingResult
from harness.diff import Difference
from harness.fuzz.check import drop_push_races, path_waivers, repaced
from harness.fuzz.generate import JUNK, WELL_FORMED, Request, Session, generate
from harness.fuzz.infer import infer_model
from harness.fuzz.minimise import minimise, without_key
from harness.fuzz.model import SESSION_NAME, SessionModel
from harness.fuzz.shapes import discriminator, encode
from harness.fuzz.success import SuccessTally
from harness.fuzz.writer import found_transcript, write_found
from harness.normalise import NormalClient, NormalFrame, NormalObservation
from harness.redact import PASSWORD
from harness.transcript import Event, Meta, Transcript
from harness.waivers import Waiver


def _recording(name: str, settings: dict, lines: list[tuple[str, object]]) -> Transcript:
    """c1 connects, then each (kind, payload): `send`/`recv` of JSON (a str is sent as is)."""
    events = [Event(kind="connect", client="c1", headers={})]
    for kind, payload in lines:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        events.append(Event(kind=kind, client="c1", text=text))
    events = [Event(**{**e.__dict__, "line": i + 2}) for i, e in enumerate(events)]
    return Transcript(Meta(name=name, settings=settings), tuple(events))


def _corpus() -> list[Transcript]:
    lines = [
        ("recv", {"op": "hello", "ticket": "<issued:c1:ticket:1>"}),
        ("send", {"op": "signin", "rid": 1, "name": "ann", "secret": PASSWORD}),
        ("recv", {"op": "ok", "rid": 1, "name": "ann"}),
        ("send", {"op": "open", "rid": 2, "tags": ["red", "blue"]}),
        ("recv", {"op": "ok", "rid": 2, "box": "box_123456"}),
        ("send", {"op": "shut", "rid": 3, "box": "<issued:c1:box:1>"}),
        ("recv", {"op": "ok", "rid": 3, "box": "box_123456"}),
        ("send", "{"),
        ("recv", {"op": "fail", "why": "bad json"}),
        ("send", {"op": "open", "rid": 4, "tags": ["green"]}),
        ("recv", {"op": "ok", "rid": 4, "box": "box_654321"}),
        ("send", {"op": "shut", "rid": 5, "box": "nope"}),
        ("recv", {"op": "fail", "rid": 5, "why": "unknown"}),
        ("send", "[]"),
        ("recv", {"op": "fail", "why": "not an object"}),
        ("send", {"op": "resume", "rid": 6, "ticket": "<issued:c1:ticket:1>"}),
        ("recv", {"op": "ok", "rid": 6, "ticket": "<issued:c1:ticket:2>"}),
        ("send", {"op": "join", "rid": 7, "room": "lobby"}),
        ("recv", {"op": "ok", "rid": 7}),
        ("send", {"op": "leave", "rid": 8, "room": "lobby"}),
        ("recv", {"op": "ok", "rid": 8}),
    ]
    return [_recording("a", {"speed": 1}, lines), _recording("b", {}, lines)]


def test_discriminator_is_scored_not_assumed():
    objects = [{"op": "a", "x": 1}, {"op": "a", "x": 2}, {"op": "b"}, {"op": "b"}, {"note": "free text"}]
    assert discriminator(objects) == "op"
    assert discriminator([{"note": "one"}, {"note": "two"}]) is None
    assert discriminator([]) is None


def test_model_inferred_from_the_corpus():
    model = infer_model(_corpus())
    assert model.key == "op"
    assert (model.correlation.request_key, model.correlation.reply_key) == ("rid", "rid")
    assert model.correlation.error == ("op", "fail")
    assert set(model.kinds) == {"signin", "open", "shut", "resume", "join", "leave"}
    assert set(model.kinds["open"].fields["tags"].elements) == {"red", "blue", "green"}
    assert model.kinds["shut"].fields["box"].issued == "box"
    assert model.kinds["shut"].templates == ({"op": "shut", "rid": 3, "box": "<issued:c1:box:1>"},)
    assert model.issuers["box"][0] == "open" and model.issuers["ticket"][0] == ""
    assert model.rotated == frozenset({"ticket"})
    assert model.credentials == ({"op": "signin", "name": "ann", "secret": PASSWORD},)
    assert {"{", "[]"} <= set(model.junk)
    assert {json.dumps(s) for s, _ in model.kinds["open"].settings} == {'{"speed": 1}', "{}"}
    assert model.kinds["open"].openings == (({"op": "signin", "name": "ann", "secret": PASSWORD}, 4),)
    assert model.kinds["leave"].links == {"room": "join"} and model.kinds["join"].links == {}


def test_request_id_is_the_echo_whose_values_name_one_request():
    """An echoed argument (a room) answers more requests than the optional id, but recurs within a
    client; the id names one request, so it is the one replies are matched by."""
    lines = [("recv", {"op": "hello"})]
    for n in range(6):
        lines += [("send", {"op": "post", "room": "lobby", "text": f"m{n}"}),
                  ("recv", {"op": "posted", "room": "lobby", "seq": n})]
    for n in range(3):
        lines += [("send", {"op": "members", "room": "lobby", "ref": n}),
                  ("recv", {"op": "members", "room": "lobby", "ref": n})]
    lines += [("send", "{"), ("recv", {"op": "error", "code": "bad_json"})]
    correlation = infer_model([_recording("chat", {}, lines)]).correlation
    assert (correlation.request_key, correlation.reply_key) == ("ref", "ref")


def test_no_model_without_json_requests():
    only_text = _recording("t", {}, [("send", "hello"), ("recv", "hi")])
    assert infer_model([only_text]) is None


def _sessions(seed: int, count: int = 40) -> list[Session]:
    return generate(infer_model(_corpus()), seed, count)


def test_same_seed_same_sessions():
    first = [wsgm.dumps(s.transcript) for s in _sessions(7)]
    assert first == [wsgm.dumps(s.transcript) for s in _sessions(7)]
    assert first != [wsgm.dumps(s.transcript) for s in _sessions(8)]


def test_generated_sessions_are_valid_and_mostly_well_formed():
    sessions = _sessions(3, 60)
    for generated in sessions:
        text = wsgm.dumps(generated.transcript)
        assert wsgm.loads(text).meta.name == SESSION_NAME and not generated.transcript.has_recv
        sends = [e for e in generated.transcript.events if e.kind == "send"]
        assert len(sends) == len(generated.requests)
    forms = [r.form for s in sessions for r in s.requests]
    assert forms.count(WELL_FORMED) > 0.7 * len(forms)
    assert {"retyped", "dropped", "added", "unknown", JUNK} <= set(forms)


def _sent(sessions: list[Session]) -> list[tuple[str, dict]]:
    """(client, object) of every JSON object sent, in order, per session flattened."""
    return [(e.client, json.loads(e.text)) for s in sessions for e in s.transcript.events
            if e.kind == "send" and e.text and e.text.startswith("{\"op\"")]


def test_valid_values_several_elements_and_issued_references():
    sessions = _sessions(5, 80)
    sent = _sent(sessions)
    tags = [obj["tags"] for _, obj in sent if obj["op"] == "open" and isinstance(obj.get("tags"), list)]
    assert any(len(t) > 1 for t in tags) and all(set(t) <= {"red", "blue", "green", "x"} for t in tags)
    boxes = [obj["box"] for _, obj in sent if obj["op"] == "shut" and isinstance(obj.get("box"), str)]
    assert boxes and all(b.startswith("<issued:") for b in boxes)
    issued = []  # a well-formed shut mostly refers to a box an earlier open issued
    for generated in sessions:
        sends = [e for e in generated.transcript.events if e.kind == "send"]
        opened = 0
        for event, request in zip(sends, generated.requests):
            opened += request.kind == "open" and request.form == WELL_FORMED
            if request.kind == "shut" and request.form == WELL_FORMED:
                number = int(json.loads(event.text)["box"].rsplit(":", 1)[1].rstrip(">"))
                assert number <= opened + 1
                issued.append(number <= opened)
    assert len(issued) > 10 and sum(issued) > 0.7 * len(issued) and not all(issued)


def test_linked_values_repeat_an_earlier_request_of_the_client():
    repeated = []
    for generated in _sessions(6, 80):
        rooms: dict[str, list] = {}
        sends = [e for e in generated.transcript.events if e.kind == "send"]
        for event, request in zip(sends, generated.requests):
            if request.form == WELL_FORMED and request.kind in ("join", "leave"):
                room = json.loads(event.text)["room"]
                if request.kind == "leave":
                    repeated.append(room in rooms.get(event.client, []))
                rooms.setdefault(event.client, []).append(room)
    assert len(repeated) > 10 and sum(repeated) > 0.7 * len(repeated)


def test_rotated_values_used_once_per_session():
    for generated in _sessions(9, 80):
        tickets = [obj["ticket"] for _, obj in _sent([generated]) if obj["op"] == "resume"
                   and str(obj.get("ticket", "")).startswith("<issued:")]
        assert len(tickets) == len(set(tickets))


def test_every_new_client_usually_opens_with_a_credential():
    sessions = _sessions(4, 60)
    firsts = []
    for generated in sessions:
        seen = set()
        for event in generated.transcript.events:
            if event.kind == "send" and event.client not in seen:
                seen.add(event.client)
                firsts.append(PASSWORD in (event.text or ""))
    assert sum(firsts) > 0.8 * len(firsts)


def test_success_share_per_kind():
    session = Session(SessionModel().transcript(), (
        Request("c1", "open", WELL_FORMED, 1), Request("c1", "shut", "unknown", 2),
        Request("c1", "", JUNK), Request("c2", "open", WELL_FORMED, 3)))

    def frame(value):
        return NormalFrame(json.dumps(value), value, True)

    observed = NormalObservation(SESSION_NAME, "legacy", {
        "c1": NormalClient("c1", (frame({"op": "ok", "rid": 1}), frame({"op": "fail", "rid": 2})), (), ()),
        "c2": NormalClient("c2", (frame({"op": "ok", "rid": 9}),), (), ())})
    tally = SuccessTally(infer_model(_corpus()).correlation)
    tally.add(session, observed)
    shares = tally.to_dict()
    assert shares["kinds"]["open"] == {"requests": 2, "succeeded": 1, "success_percent": 50.0,
                                       "well_formed": 2, "well_formed_succeeded": 1}
    assert shares["kinds"]["shut"]["succeeded"] == 0 and "" not in shares["kinds"]
    assert shares["all"]["requests"] == 3


def test_settle_pause_before_other_clients_and_issued_references():
    model = SessionModel(settle_ms=20)
    c1 = model.connect()
    model.send(c1, '{"op":"a"}')
    model.send(c1, '{"op":"a"}')
    c2 = model.connect()
    model.send(c2, '{"op":"b","t":"<issued:c1:ticket:1>"}')
    kinds = [e.kind for e in model.transcript().events]
    assert kinds == ["connect", "send", "send", "sleep", "connect", "sleep", "send"]
    assert [e.ms for e in repaced(model.transcript(), 2.0).events if e.kind == "sleep"] == [40.0, 40.0]


def test_minimise_drops_actions_then_keys():
    model = SessionModel()
    c1 = model.connect()
    model.send(c1, '{"op":"a"}')
    c2 = model.connect()
    model.send(c2, '{"op":"b","rid":1,"extra":[1]}')
    model.close(c1)
    small = minimise(model.transcript(), lambda t: any('"b"' in (e.text or "") for e in t.events))
    assert [(e.kind, e.client, e.text) for e in small.events] == [("connect", "c2", None),
                                                                   ("send", "c2", '{"op":"b"}')]
    assert json.loads(without_key(model.transcript(), 1, "op").events[1].text) == {}


def test_encode_keeps_text_sendable():
    assert encode({"a": "\u00e9"}) == '{"a":"\u00e9"}'
    assert encode({"a": "\ud800"}) == '{"a":"\\ud800"}'


def test_waivers_as_the_fuzzer_sees_them():
    whole = Waiver("some_recording", "$", "accepted as a whole")
    path = Waiver("stats", "$.result.connections", "ghosts", client="c1", frame=3)
    [anywhere] = path_waivers([whole, path])
    assert (anywhere.recording, anywhere.client, anywhere.frame) == (SESSION_NAME, None, None)


def test_found_transcript_says_what_differs(tmp_path):
    model = SessionModel()
    model.send(model.connect(), '{"op":"a"}')
    result = RecordingResult(SESSION_NAME, "", differences=[
        Difference(SESSION_NAME, "c1", "changed", 1, 1, "$.build", "<absent>", "planted")])
    tags = found_transcript(model.transcript(), result, "legacy", "cand").meta.tags
    assert 'differs: c1 frame 1 $.build (changed): "<absent>" -> "planted"' in tags
    path = write_found(model.transcript(), result, tmp_path, "legacy", "cand")
    loaded = wsgm.load(path)
    assert loaded.name == path.stem and "found" in loaded.meta.tags


def _observed(frames: list[dict]) -> NormalObservation:
    values = tuple(NormalFrame(json.dumps(v), v, True) for v in frames)
    return NormalObservation(SESSION_NAME, "t", {"c1": NormalClient("c1", values, (), ())})


def test_push_moved_against_replies_is_dropped_replies_out_of_order_are_not():
    push, one, two = {"op": "tick"}, {"op": "ok", "rid": 1}, {"op": "ok", "rid": 2}
    moved = Difference(SESSION_NAME, "c1", "reordered", 0, 2, "$", push, None)
    raced = RecordingResult(SESSION_NAME, "", differences=[moved], expected=_observed([push, one, two]),
                            actual=_observed([one, two, push]))
    raced = drop_push_races(raced, "rid")
    assert raced.differences == []
    swapped = RecordingResult(SESSION_NAME, "", differences=[moved], expected=_observed([one, two]),
                              actual=_observed([two, one]))
    swapped = drop_push_races(swapped, "rid")
    assert swapped.differences == [moved]


def test_stream_cut_by_the_end_is_dropped_a_missing_reply_is_not():
    push, one = {"op": "tick", "n": 1}, {"op": "ok", "rid": 1}
    extra = Difference(SESSION_NAME, "c1", "extra", None, 2, "$", None, push)
    tail = RecordingResult(SESSION_NAME, "", differences=[extra], expected=_observed([one, push]),
                           actual=_observed([one, push, push]))
    tail = drop_push_races(tail, "rid")
    assert tail.differences == []
    lost = Difference(SESSION_NAME, "c1", "missing", 1, None, "$", one, None)
    missing = RecordingResult(SESSION_NAME, "", differences=[lost], expected=_observed([push, one]),
                              actual=_observed([push]))
    missing = drop_push_races(missing, "rid")
    assert missing.differences == [lost]
