"""The example's port without sockets: JavaScript's JSON and string lengths, the protocol core."""

from __future__ import annotations

import json

import pytest

from port.chat import Chat, encode
from port.wire import NotJson, dumps, js_length, parse, safe_integer


def test_dumps_writes_what_json_stringify_writes():
    assert dumps({"b": 2.0, "a": [1.5, -0.0, 1e20], "t": "caf\u00e9 \U0001F600 \x01"}) == \
        '{"b":2,"a":[1.5,0,100000000000000000000],"t":"caf\u00e9 \U0001F600 \\u0001"}'
    assert dumps({"t": "lone \ud800"}) == '{"t":"lone \\ud800"}'


@pytest.mark.parametrize("text", ['{"a":NaN}', "[Infinity]", "\ufeff{}", '{"a":1} x', ""])
def test_parse_refuses_what_json_parse_refuses(text):
    with pytest.raises(NotJson):
        parse(text)


def test_numbers_and_lengths():
    assert [safe_integer(v) for v in (2.0, 2.5, True, 2**53 - 1, 2**53, "3")] == [2, None, None, 2**53 - 1, None, None]
    assert js_length("a\U0001F600") == 3 and js_length("lone \ud800") == 6


def frames(out):
    return [(conn, json.loads(text)) for conn, text in encode(out)]


def test_post_reaches_the_other_members_in_joining_order():
    chat = Chat()
    for conn, nick in (("a", "ann"), ("b", "bob"), ("c", "cy")):
        chat.connect(conn)
        chat.receive(conn, json.dumps({"op": "nick", "nick": nick}))
        chat.receive(conn, '{"op":"join","room":"lobby"}')
    out = frames(chat.receive("b", '{"op":"post","room":"lobby","text":"hi \U0001F44B","ref":7}'))
    assert [conn for conn, _ in out] == ["b", "a", "c"]
    assert out[0][1] == {"op": "posted", "room": "lobby", "seq": 1, "length": 5, "ref": 7}
    assert list(out[1][1]) == ["op", "room", "seq", "from", "text", "at"]
    left = frames(chat.disconnect("a"))
    assert left == [(c, {"op": "presence", "room": "lobby", "nick": "ann", "event": "leave", "count": 2})
                    for c in ("b", "c")]


def test_errors_carry_the_ref_and_one_shape():
    chat = Chat()
    chat.connect("a")
    [(_, error)] = frames(chat.receive("a", '{"op":"join","room":"x","ref":"r1"}'))
    assert error == {"op": "error", "code": "no_nick", "message": "choose a nick first", "ref": "r1"}
    [(_, error)] = frames(chat.receive("a", None))
    assert error["code"] == "binary" and "ref" not in error


def test_rooms_average_is_rounded_like_math_round():
    chat = Chat()
    chat.connect("a")
    chat.receive("a", '{"op":"nick","nick":"ann"}')
    chat.receive("a", '{"op":"join","room":"r"}')
    for text in ("x", "x", "yy"):
        chat.receive("a", json.dumps({"op": "post", "room": "r", "text": text}))
    [(_, text)] = encode(chat.receive("a", '{"op":"rooms"}'))
    assert text == '{"op":"rooms","rooms":[{"name":"r","members":1,"messages":3,"average_length":1.33}]}'
