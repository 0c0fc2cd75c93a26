"""The wsgm/1 model: loading, validation errors with path:line, writing."""

import pytest

from harness import transcript as wsgm
from harness.errors import TranscriptError
from harness_support import META, jsonl

GOOD = jsonl(
    '{"kind":"connect","client":"c1","t":0.0,"headers":{"X-A":"1"}}',
    '{"kind":"recv","client":"c1","t":0.004,"text":"{\\"type\\":\\"status\\"}"}',
    '{"kind":"send","client":"c1","t":0.01,"binary":"AAEC"}',
    '{"kind":"sleep","t":0.02,"ms":10}',
    '{"kind":"close","client":"c1","t":0.5,"code":1000}',
    '{"kind":"recv","client":"c1","t":0.5,"text":"late"}',
    '{"kind":"closed","client":"c1","t":0.501,"code":1000,"reason":""}',
    '{"kind":"connect","client":"c1","t":0.6}',
    '{"kind":"closed","client":"c1","t":0.7,"code":null,"reason":"http 401"}',
)


def test_load_good_transcript():
    t = wsgm.loads(GOOD, "good.jsonl")
    assert t.name == "t"
    assert [e.kind for e in t.events][:4] == ["connect", "recv", "send", "sleep"]
    assert t.events[2].payload() == b"\x00\x01\x02"
    assert t.clients == ("c1",)
    assert t.has_recv


def test_round_trip(tmp_path):
    t = wsgm.loads(GOOD)
    path = tmp_path / "sub" / "x.jsonl"
    wsgm.write(t, path)
    again = wsgm.load(path)
    assert [e.to_dict() for e in again.events] == [e.to_dict() for e in t.events]
    assert again.meta == t.meta


@pytest.mark.parametrize(
    "lines, line, reason",
    [
        (['{"kind":"connect","client":"c1"', '{"kind":"closed","client":"c1","code":1000}'], 2, "bad JSON"),
        (['{"kind":"connect","client":"c1"}', '{"kind":"send","client":"c1","te'], 3, "truncated line"),
        (['{"kind":"shout","client":"c1"}'], 2, "unknown kind 'shout'"),
        (['{"kind":"connect","client":"c1"}', META], 3, "duplicate meta"),
        (['{"kind":"connect","client":7}'], 2, "field 'client' must be string"),
        (['{"kind":"connect","client":"c1","t":"soon"}'], 2, "field 't' must be"),
        (['{"kind":"send","client":"c2","text":"x"}'], 2, "unknown client 'c2'"),
        (['{"kind":"connect","client":"c1"}', '{"kind":"send","client":"c1"}'], 3, "exactly one of"),
        (['{"kind":"connect","client":"c1"}', '{"kind":"send","client":"c1","binary":"**"}'], 3, "base64"),
        (['{"kind":"connect","client":"c1","colour":"red"}'], 2, "unknown field 'colour'"),
        (['{"kind":"connect","client":"c1","compression":"gzip"}'], 2, "'compression' must be one of deflate, none"),
        (['{"kind":"connect","client":"c1","compression":false}'], 2, "field 'compression' must be string"),
        (['{"kind":"connect","client":"c1"}', '{"kind":"connect","client":"c1"}'], 3, "which is open"),
        (['{"kind":"sleep","ms":-1}'], 2, "must not be negative"),
        (["[1,2]"], 2, "must be a JSON object"),
        (['{"kind":"close","client":"c1","code":true}'], 2, "must be integer"),
    ],
)
def test_bad_lines_name_path_and_line(lines, line, reason):
    with pytest.raises(TranscriptError) as info:
        wsgm.loads("\n".join([META] + lines), "rec.jsonl")
    assert str(info.value).startswith(f"rec.jsonl:{line}: ")
    assert reason in str(info.value)


def test_missing_meta():
    with pytest.raises(TranscriptError, match=r"^x:1: missing meta"):
        wsgm.loads('{"kind":"connect","client":"c1"}\n', "x")


def test_empty_file_and_bad_format():
    with pytest.raises(TranscriptError, match="missing meta"):
        wsgm.loads("", "x")
    with pytest.raises(TranscriptError, match="unsupported format"):
        wsgm.loads('{"kind":"meta","format":"wsgm/2","name":"n"}', "x")


def test_unreadable_file(tmp_path):
    with pytest.raises(TranscriptError, match="cannot read"):
        wsgm.load(tmp_path / "nope.jsonl")


def test_actions_only_transcript():
    t = wsgm.loads(jsonl('{"kind":"connect","client":"c1"}', '{"kind":"send","client":"c1","text":"x"}'))
    assert not t.has_recv


def test_compression_is_kept_only_when_the_client_offers_none():
    t = wsgm.loads(jsonl('{"kind":"connect","client":"c1","compression":"none"}',
                         '{"kind":"connect","client":"c2"}',
                         '{"kind":"connect","client":"c3","compression":"deflate"}'))
    plain, default, explicit = t.events
    assert (plain.offers_deflate, default.offers_deflate, explicit.offers_deflate) == (False, True, True)
    assert plain.to_dict()["compression"] == "none" and "compression" not in default.to_dict()
    assert [e.to_dict() for e in wsgm.loads(wsgm.dumps(t)).events] == [e.to_dict() for e in t.events]


def test_lone_surrogates_are_written_as_escapes(tmp_path):
    t = wsgm.loads(jsonl('{"kind":"connect","client":"c1"}'))
    odd = wsgm.Transcript(wsgm.Meta("odd", settings={"passwords": {"viewer": "pass\ud800word"}}), t.events)
    path = tmp_path / "odd.jsonl"
    wsgm.write(odd, path)
    assert "\\ud800" in path.read_text(encoding="utf-8")
    assert wsgm.load(path).meta.settings == {"passwords": {"viewer": "pass\ud800word"}}
    assert [p.name for p in tmp_path.iterdir()] == ["odd.jsonl"]
