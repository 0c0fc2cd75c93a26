"""Hostile frames on both servers: a structured error or a clean close, never a traceback, and the
server keeps serving other clients afterwards."""

from __future__ import annotations

import asyncio
import json

import pytest

from hostile_support import assert_error

DEPTH = 10_000


async def test_malformed_json(client, server, still_serving):
    for raw in ["", "{", '{"type": "ping"', '{"type": "ping",}', "{'type': 'ping'}", "\x00", "nul",
                '{"type": "ping"} {}', "\ufeff{}", '{"a": 1e}', "[" + "1," * 1000]:
        assert_error(await client.ask(raw), "invalid_json", "Invalid JSON format")
    assert (await client.request({"type": "ping"}))["type"] == "pong"
    await still_serving(server)


async def test_non_object_json(client, server, still_serving):
    for raw in ["[]", '[{"type": "ping", "id": 1}]', '"ping"', "1", "null", "true", "1.5"]:
        frame = await client.ask(raw)
        assert_error(frame, "invalid_message", "Message must be a JSON object")
        assert "request_id" not in frame
    await still_serving(server)


async def test_binary_frames(client, server, still_serving):
    for data in [b"", b'{"type": "ping", "id": 1}', b"\xff\xfe", bytes(range(256)) * 4]:
        frame = await client.ask(data)
        assert_error(frame, "invalid_message", "Binary frames are not supported")
    await still_serving(server)


@pytest.mark.parametrize("payload", ["text", "binary"])
async def test_frame_over_size_limit_closes_1009(make_server, make_client, still_serving, payload):
    server = await make_server({"max_message_size": 1024})
    victim = await make_client(server)
    await victim.send("x" * 2048 if payload == "text" else b"\x00" * 2048)
    assert await victim.closed_code() == 1009
    await still_serving(server)


async def test_nesting_10000_deep(client, server, still_serving):
    for raw in ["[" * DEPTH + "]" * DEPTH, '{"a": ' * DEPTH + "1" + "}" * DEPTH, "[" * DEPTH,
                '{"type": "echo", "data": ' + "[" * DEPTH + "]" * DEPTH + ', "id": 1}']:
        assert_error(await client.ask(raw), "invalid_json", "Invalid JSON format")
    assert (await client.request({"type": "echo", "data": [[[1]]]}))["data"] == [[[1]]]
    await still_serving(server)


async def test_huge_numbers_nan_infinity(client, server, still_serving):
    for literal in ["9" * 4301, "-" + "9" * 10_000, "NaN", "Infinity", "-Infinity", "1e400", "-1e999"]:
        frame = await client.ask('{"type": "echo", "id": 1, "data": ' + literal + "}")
        assert_error(frame, "invalid_json", "Invalid JSON format")
    big = await client.ask('{"type": "echo", "id": 2, "data": ' + "9" * 4300 + "}")
    assert big["data"] == int("9" * 4300) and big["request_id"] == 2
    assert (await client.ask('{"type": "echo", "id": 3, "data": 1e-400}'))["data"] == 0.0
    await still_serving(server)


async def test_invalid_utf8_text_frame_closes_1007(server, make_client, still_serving):
    victim = await make_client(server)
    await victim.ws.send(b'{"type": "ping", "data": "\xff\xfe"}', text=True)
    assert await victim.closed_code() == 1007
    other = await make_client(server)
    await other.ws.send(b"\xed\xa0\x80", text=True)  # a UTF-8 encoded lone surrogate is invalid UTF-8
    assert await other.closed_code() == 1007
    await still_serving(server)


async def test_lone_surrogates_are_answered_escaped(client, server, still_serving):
    frame = await client.ask('{"type": "echo", "id": 1, "data": "\\ud800x\\udfff"}')
    assert frame["data"] == "\ud800x\udfff"
    frame = await client.ask('{"type": "login", "id": 2, "username": "\\ud800", "password": "\\udc00"}')
    assert_error(frame, "authentication_failed")
    frame = await client.ask('{"type": "p\\ud800ng", "id": 3}')
    assert_error(frame, "invalid_message_type", "Unknown message type")
    await still_serving(server)


async def test_missing_and_unknown_type(client, server, still_serving):
    assert_error(await client.ask({"id": 1}), "invalid_message", "Missing message type")
    assert_error(await client.ask({"type": None, "id": 2}), "invalid_message", "Missing message type")
    for bad in [1, [], {}, True]:
        assert_error(await client.ask({"type": bad, "id": 3}), "invalid_message", "Message type must be a string")
    for name in ["", "nope", "__init__", "__class__", "handle_ping", "_send", "stop", "x" * 50_000]:
        assert_error(await client.ask({"type": name, "id": 4}), "invalid_message_type", "Unknown message type")
    await still_serving(server)


MESSAGE_FIELDS = {
    "echo": ["data"], "command": ["command"], "login": ["username", "password", "token"],
    "refresh_token": ["refresh_token"], "reconnect": ["reconnect_token"],
    "subscribe": ["stream", "symbols"], "unsubscribe": ["stream"],
    "session_start": ["session_type", "strategy_config", "config", "idempotent"],
    "session_stop": ["session_id"], "session_status": ["session_id"],
    "collection_start": ["symbols", "duration", "strategies"], "collection_stop": ["collection_id"],
    "collection_status": ["collection_id"], "results_request": ["collection_id"],
    "activate_strategy": ["strategy_name", "symbol", "config"],
    "deactivate_strategy": ["strategy_name", "symbol"], "strategy_status": ["strategy_name"],
    "validate_strategy_config": ["strategy_name", "config"], "upsert_strategy": ["strategy_name", "config"],
    "get_strategies": [], "logout": [], "handshake": [], "heartbeat": [], "version": [],
}
WRONG = [True, 3, -2.5, "", "zz", [], [None], {}, {"k": [1]}]


async def test_wrong_field_types_on_every_message_type(make_server, make_client, still_serving):
    server = await make_server({"bar_interval": 5, "lockout_threshold": 10 ** 6})
    client = await make_client(server)
    await client.login("admin")
    for msg_type, fields in MESSAGE_FIELDS.items():
        for field in fields + ["session_id"]:
            for value in WRONG:
                frame = await client.request({"type": msg_type, field: value})
                assert frame["type"] in ("response", "error", "pong"), frame
                if frame.get("status") == "session_started":
                    await client.request({"type": "session_stop"})
                if msg_type in ("login", "logout", "refresh_token", "reconnect") or frame.get("status") == "logged_out":
                    await client.login("admin")
    await still_serving(server)


async def test_over_long_strings(client, server, still_serving):
    long = "A" * 200_000
    await client.login("admin")
    for message in [{"type": "login", "username": long, "password": long}, {"type": "login", "token": long},
                    {"type": "reconnect", "reconnect_token": long + ":" + long},
                    {"type": "subscribe", "stream": long}, {"type": "session_status", "session_id": long},
                    {"type": "collection_start", "symbols": [long]},
                    {"type": "upsert_strategy", "strategy_name": long, "config": {}},
                    {"type": "validate_strategy_config", "strategy_name": "RSIStrategy", "config": {long: 1}}]:
        frame = await client.request(message)
        assert frame["type"] == "error" or frame.get("valid") is False, frame
    await still_serving(server)


async def test_garbage_between_valid_requests_keeps_one_reply_each(client, server):
    """Interleaved good and bad frames, pipelined: one reply per frame, in order."""
    frames = []
    for n in range(50):
        frames += [json.dumps({"type": "ping", "id": n}), "{bad", b"\x00", "[]"]
    for frame in frames:
        await client.send(frame)
    replies = [await client.reply() for _ in frames]
    assert [r.get("request_id") for r in replies[::4]] == list(range(50))
    assert all("request_id" not in r for i, r in enumerate(replies) if i % 4)
    with pytest.raises(asyncio.TimeoutError):
        await client.recv(timeout=0.2)
