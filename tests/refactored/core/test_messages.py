"""Strict decoding, encoding and reply shapes."""

import json

import pytest

from refactored.core.errors import InvalidJson, InvalidMessage
from refactored.core.messages import MAX_DEPTH, decode, depth, encode, finish, response, stream_frame

NESTED_OK = "[" * MAX_DEPTH + "]" * MAX_DEPTH
NESTED_BAD = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)


@pytest.mark.parametrize("text", ["nope", "{", "NaN", '{"a": Infinity}', '{"a": -Infinity}', '{"a": 1e400}',
                                  '{"a": ' + "1" * 5000 + "}", "[" * 100_000 + "]" * 100_000,
                                  '{"a": ' + NESTED_BAD + "}", "\ud800"])
def test_bad_json(text):
    with pytest.raises(InvalidJson, match="^Invalid JSON format$"):
        decode(text)


@pytest.mark.parametrize("text", ["[1]", "1", '"s"', "null", "true", NESTED_OK])
def test_non_objects(text):
    with pytest.raises(InvalidMessage, match="^Message must be a JSON object$"):
        decode(text)


def test_objects():
    assert decode('{"type": "ping", "id": 1}') == {"type": "ping", "id": 1}
    assert decode('{"a": "[[[[{{{{"}') == {"a": "[[[[{{{{"}
    assert decode('{"a": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}")


def test_depth():
    assert depth(1) == 0 and depth({}) == 1 and depth([[], {"a": [1]}]) == 3


def test_encode_is_plain_json_dumps():
    frame = {"a": "é", "b": [1, 2.5]}
    assert encode(frame) == json.dumps(frame)


@pytest.mark.parametrize("value", [{"a": 1, "b": None, "c": True}, "text\u2028", 1, 2.5, None, [], {},
                                   {1: "int key", 2.5: "float key", None: "null key", False: "bool key"},
                                   {"inf": float("inf"), "nan": float("nan"), "big": 10**30},
                                   {"nested": [{"x": [1, {"y": "é€"}]}]}])
def test_encode_gives_the_text_of_json_dumps(value):
    assert encode(value) == json.dumps(value)


def _circular():
    items = []
    items.append(items)
    return items


@pytest.mark.parametrize("value", [_circular(), {"x": object()}, {(1, 2): "tuple key"}])
def test_encode_fails_as_json_dumps_fails(value):
    with pytest.raises(Exception) as ours:
        encode(value)
    with pytest.raises(Exception) as theirs:
        json.dumps(value)
    assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


def test_response_and_finish_order():
    frame = finish(response("ok", x=1), "T", {"id": 7})
    assert list(frame) == ["type", "status", "x", "timestamp", "request_id"]
    assert frame["request_id"] == 7


def test_finish_keeps_an_existing_timestamp_slot():
    frame = finish({"type": "error", "timestamp": "", "x": 1}, "T", None)
    assert list(frame) == ["type", "timestamp", "x"] and frame["timestamp"] == "T"


def test_finish_copies_any_json_id():
    assert "request_id" not in finish({"type": "pong"}, "T", {"type": "ping"})
    assert finish({}, "T", {"id": None})["request_id"] is None
    assert finish({}, "T", {"id": {"k": [1]}})["request_id"] == {"k": [1]}


def test_stream_frame_is_named_after_its_stream_unless_told():
    assert stream_frame("orders", {"a": 1}, "T") == {"type": "orders", "stream": "orders", "data": {"a": 1}, "timestamp": "T"}
    assert stream_frame("sessions", {}, "T", kind="session_update")["type"] == "session_update"
