"""Calls and events in transcripts: line validation, replay on the server's loop, publications,
hang bounding, external targets (not applicable), and recording them from a scenario."""

import json
from dataclasses import replace

import pytest

from harness import transcript as wsgm
from harness.corpus import compare_corpus, compare_recording, check_recording, replay_corpus
from harness.errors import ScenarioError, TranscriptError
from harness.replay import replay_recording
from harness.scenario import Scenario, record_scenario
from harness.serverside import CALLS, EVENTS, jsonable
from calls_servers import CallableServer
from harness_servers import EchoServer
from harness_support import jsonl

SERVER = "calls_servers:CallableServer"
OFF_BY_ONE = "calls_servers:OffByOneServer"
NO_BUS = "calls_servers:NoBusServer"

CALLS_T = jsonl(
    '{"kind":"call","method":"add","args":[1],"kwargs":{"b":2}}',
    '{"kind":"returned","method":"add","value":3}',
    '{"kind":"connect","client":"c1"}',
    '{"kind":"send","client":"c1","text":"{\\"publish\\":\\"news\\"}"}',
    '{"kind":"event","topic":"news","data":{"frames":1,"tags":["a","b"]}}',
    '{"kind":"recv","client":"c1","text":"{\\"frames\\":1}"}',
    '{"kind":"call","method":"add","args":[1]}',
    '{"kind":"returned","method":"add","value":2}',
    '{"kind":"call","method":"fail"}',
    '{"kind":"raised","method":"fail","error":"ValueError"}',
    '{"kind":"close","client":"c1"}',
    '{"kind":"closed","client":"c1","code":1000,"reason":""}',
)


def _load(text: str, name: str = "calls.jsonl") -> wsgm.Transcript:
    return wsgm.loads(text, name)


def test_server_side_lines_load_and_round_trip(tmp_path):
    t = _load(CALLS_T)
    assert [e.kind for e in t.events][:2] == ["call", "returned"]
    assert t.calls[0].args == [1] and t.calls[0].kwargs == {"b": 2}
    assert t.clients == ("c1",)
    assert t.server_side is t.events[0]
    wsgm.write(t, tmp_path / "x.jsonl")
    again = wsgm.load(tmp_path / "x.jsonl")
    assert [e.to_dict() for e in again.events] == [e.to_dict() for e in t.events]
    assert again.events[1].to_dict() == {"kind": "returned", "t": 0.0, "method": "add", "value": 3}
    assert again.calls[1].to_dict()["kwargs"] == {}


def test_a_null_value_and_null_data_are_written():
    t = _load(jsonl('{"kind":"call","method":"stop"}', '{"kind":"returned","method":"stop","value":null}',
                    '{"kind":"event","topic":"x","data":null}'))
    assert t.events[1].to_dict()["value"] is None and "value" in t.events[1].to_dict()
    assert "data" in t.events[2].to_dict()


@pytest.mark.parametrize(
    "lines, line, reason",
    [
        (['{"kind":"call","method":"_secret"}'], 2, "method '_secret' is private"),
        (['{"kind":"call","method":"__class__"}'], 2, "is private"),
        (['{"kind":"call","method":"a.b"}'], 2, "method 'a.b' is not a method name"),
        (['{"kind":"call","method":"add","args":{"a":1}}'], 2, "field 'args' must be array"),
        (['{"kind":"call","method":"add","kwargs":[1]}'], 2, "field 'kwargs' must be object"),
        (['{"kind":"call","method":"add","args":"[1]"}'], 2, "field 'args' must be array"),
        (['{"kind":"call","method":7}'], 2, "field 'method' must be string"),
        (['{"kind":"call"}'], 2, "missing field 'method'"),
        (['{"kind":"returned","method":"add","value":1}'], 2, "returned of 'add' without a call before"),
        (['{"kind":"call","method":"add"}', '{"kind":"raised","method":"sub","error":"E"}'], 3,
         "raised of 'sub' after a call of 'add'"),
        (['{"kind":"call","method":"add"}', '{"kind":"call","method":"add"}'], 3,
         "call of 'add' before the outcome of the call of 'add'"),
        (['{"kind":"call","method":"add"}', '{"kind":"sleep","ms":1}'], 2, "call of 'add' has no outcome line"),
        (['{"kind":"returned","method":"add"}'], 2, "missing field 'value'"),
        (['{"kind":"event","topic":"x"}'], 2, "missing field 'data'"),
        (['{"kind":"event","topic":"x","data":1,"client":"c1"}'], 2, "unknown field 'client'"),
        (['{"kind":"connect","client":"@calls"}'], 2, "client names starting with '@' are reserved"),
    ],
)
def test_bad_server_side_lines_name_path_and_line(lines, line, reason):
    with pytest.raises(TranscriptError) as info:
        wsgm.loads(jsonl(*lines), "bad.jsonl")
    assert str(info.value).startswith(f"bad.jsonl:{line}: ")
    assert reason in str(info.value)


def test_jsonable_keeps_json_and_names_the_rest():
    assert jsonable({"a": (1, 2), "b": None}) == {"a": [1, 2], "b": None}
    assert jsonable({"s": {1}}) == {"s": "<set>"}
    assert jsonable(float("nan")) == "<unserialisable float>"


async def test_calls_and_events_are_observed_on_the_servers_loop(fast_timeouts):
    obs = await replay_recording(_load(CALLS_T), SERVER, timeouts=fast_timeouts)
    assert obs.failed is None and obs.server_side
    calls = [json.loads(f.text) for f in obs.clients[CALLS].frames]
    assert calls == [{"method": "add", "returned": 3}, {"method": "add", "returned": 2},
                     {"method": "fail", "raised": "ValueError"}]
    events = [json.loads(f.text) for f in obs.clients[EVENTS].frames]
    assert events == [{"topic": "news", "data": {"frames": 1, "tags": ["a", "b"]}}]


async def test_the_recording_itself_matches_and_a_changed_result_differs(fast_config):
    t = _load(CALLS_T)
    assert (await check_recording(t, SERVER, fast_config)).ok
    result = await compare_recording(t, SERVER, OFF_BY_ONE, fast_config)
    assert result.differences and {d.client for d in result.differences} == {CALLS}
    shown = [d.actual for d in result.differences if d.actual is not None]
    assert {"method": "add", "returned": 4} in shown


async def test_a_server_without_an_event_bus_misses_the_events(fast_config):
    result = await compare_recording(_load(CALLS_T), SERVER, NO_BUS, fast_config)
    assert [(d.client, d.kind) for d in result.differences] == [(EVENTS, "missing")]


@pytest.mark.parametrize(
    "method, reason",
    [("nothing_here", "unknown method 'nothing_here'"), ("label", "'label' is not callable (a str)")],
)
async def test_unknown_or_not_callable_fails_that_recording_with_path_line(fast_config, tmp_path, method, reason):
    (tmp_path / "bad.jsonl").write_text(jsonl(f'{{"kind":"call","method":"{method}"}}',
                                              f'{{"kind":"returned","method":"{method}","value":1}}'))
    (tmp_path / "good.jsonl").write_text(CALLS_T)
    result = await replay_corpus(SERVER, [tmp_path], fast_config)
    failed = [r for r in result.recordings if r.error]
    assert len(failed) == 1 and f"bad.jsonl:2: {reason}" in failed[0].error
    assert sum(r.ok for r in result.recordings) == 1


async def test_a_hanging_method_is_bounded_and_reported(fast_timeouts):
    t = _load(jsonl('{"kind":"call","method":"hang"}', '{"kind":"returned","method":"hang","value":null}',
                    '{"kind":"call","method":"add","args":[1]}', '{"kind":"returned","method":"add","value":1}'))
    obs = await replay_recording(t, SERVER, timeouts=replace(fast_timeouts, frame=0.3))
    assert obs.failed is None
    assert [json.loads(f.text) for f in obs.clients[CALLS].frames] == [
        {"method": "hang", "hung": 0.3}, {"method": "add", "returned": 1}]
    assert "line 2: hang did not return within 0.3 s" in obs.warnings


async def test_an_external_target_reports_call_recordings_as_not_applicable(fast_config, tmp_path):
    (tmp_path / "calls.jsonl").write_text(CALLS_T)
    (tmp_path / "plain.jsonl").write_text(jsonl('{"kind":"connect","client":"c1"}'))
    async with EchoServer(host="127.0.0.1", port=0) as server:
        url = f"ws://127.0.0.1:{server.port}"
        result = await replay_corpus(url, [tmp_path], fast_config)
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in result.recordings}
    reason = by_name["calls.jsonl"].not_applicable
    assert reason.startswith(f"{url}: {tmp_path / 'calls.jsonl'}:2: the recording calls the server's methods (add)")
    assert by_name["calls.jsonl"].error is None and not by_name["calls.jsonl"].differences
    assert by_name["plain.jsonl"].not_applicable is None
    assert result.ok and "1 match" in result.summary() and "1 not applicable" in result.summary()


async def test_events_of_an_external_target_are_not_compared(fast_config):
    events_only = _load(jsonl('{"kind":"connect","client":"c1"}',
                              '{"kind":"send","client":"c1","text":"{\\"publish\\":\\"news\\"}"}',
                              '{"kind":"event","topic":"news","data":{"frames":1,"tags":["a","b"]}}',
                              '{"kind":"recv","client":"c1","text":"{\\"frames\\":1}"}',
                              '{"kind":"close","client":"c1"}',
                              '{"kind":"closed","client":"c1","code":1000,"reason":""}'))
    async with CallableServer(host="127.0.0.1", port=0, event_bus=_Bus()) as server:
        result = await check_recording(events_only, f"ws://127.0.0.1:{server.port}", fast_config)
    assert result.ok, result.differences
    assert any("event lines are not compared" in w for w in result.warnings)


class _Bus:
    def publish(self, topic, data) -> None:
        return None


async def _scenario(s) -> None:
    assert (await s.call("add", 2, b=3)).value == 5
    client = await s.connect("c1")
    await client.send({"publish": "news"})
    await client.recv()
    outcome = await s.call("fail")
    assert (outcome.kind, outcome.value) == ("raised", "ValueError")


async def test_a_scenario_records_calls_and_events_that_replay(fast_config):
    t = await record_scenario(Scenario("calls", _scenario), SERVER, fast_config)
    kinds = [e.kind for e in t.events]
    assert kinds.count("event") == 1
    assert [k for k in kinds if k != "event"] == [
        "call", "returned", "connect", "send", "recv", "call", "raised", "close", "closed"]
    assert t.events[0].to_dict() == {"kind": "call", "t": t.events[0].to_dict()["t"], "method": "add",
                                     "args": [2], "kwargs": {"b": 3}}
    again = wsgm.loads(wsgm.dumps(t), "calls.jsonl")
    assert (await check_recording(again, SERVER, fast_config)).ok


@pytest.mark.parametrize(
    "body, reason",
    [
        ("await s.call('_secret')", "'_secret' is private"),
        ("await s.call('nothing_here')", "unknown method 'nothing_here'"),
        ("await s.call('add', {1, 2})", "the arguments are not JSON"),
        ("await s.call('hang')", "no outcome within"),
    ],
)
async def test_scenario_calls_are_checked(fast_config, body, reason):
    namespace: dict = {}
    exec(f"async def run(s):\n    {body}\n", namespace)
    config = replace(fast_config, timeouts=replace(fast_config.timeouts, frame=0.3))
    with pytest.raises(ScenarioError, match=reason):
        await record_scenario(Scenario("bad", namespace["run"]), SERVER, config)


async def test_a_scenario_call_needs_an_in_process_target(fast_config):
    async def run(s):
        await s.call("add", 1)

    async with EchoServer(host="127.0.0.1", port=0) as server:
        with pytest.raises(ScenarioError, match="calls need an in-process target"):
            await record_scenario(Scenario("x", run), f"ws://127.0.0.1:{server.port}", fast_config)


async def test_diffing_a_directory_counts_not_applicable_apart(fast_config, tmp_path):
    (tmp_path / "calls.jsonl").write_text(CALLS_T)
    async with EchoServer(host="127.0.0.1", port=0) as server:
        result = await compare_corpus(SERVER, f"ws://127.0.0.1:{server.port}", [tmp_path], fast_config)
    assert result.recordings[0].not_applicable and result.unwaived_count == 0



def test_the_golden_gate_and_the_reports_count_not_applicable_apart():
    from harness.corpus import CorpusResult, RecordingResult
    from harness.gates.golden import golden_gate
    from harness.reports.model import _recording

    skipped = RecordingResult("b", "b.jsonl", not_applicable="ws://x: b.jsonl:2: the recording calls ...")
    result = CorpusResult("legacy", "ws://x", [RecordingResult("a", "a.jsonl"), skipped])
    gate = golden_gate(result)
    assert gate.passed and gate.figures["matching"] == 1 and gate.figures["not_applicable"] == ["b"]
    assert gate.reason == "1 of 2 recordings match, 1 not applicable to the candidate"
    assert _recording(skipped.to_dict()).status == "not applicable: ws://x: b.jsonl:2: the recording calls ..."
    assert _recording(result.recordings[0].to_dict()).status == "match"
