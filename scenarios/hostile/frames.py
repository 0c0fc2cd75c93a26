"""Hostile frames: malformed JSON, non-objects, binary, oversize, deep nesting, numbers, unicode, types."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _hostile import ask, ask_all, connect, still_serving  # noqa: E402
from harness.scenario import scenario  # noqa: E402

DEPTH = 10_000


@scenario(name="hostile_malformed_json", tags=["hostile", "json"])
async def hostile_malformed_json(s):
    """malformed JSON of many shapes -> invalid_json; the connection and other clients keep working"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        "", " ", "{", "}", '{"type": "ping"', '{"type": "ping",}', "{'type': 'ping'}", '{"type": ping}',
        '{"type": "ping"} {"type": "ping"}', '{"type": "ping"}]', "\x00", "\ufeff{\"type\": \"ping\"}",
        '{"type": "ping", "id": 01}', '{"type": "ping", "id": .5}', '{"type": "ping", "id": 1.}',
        '{"type": "ping", "id": +1}', '{"type": "\\x41"}', '{"type": "\\u12"}', '{"type": "a\tb"}',
        '{"type": "ping", "id": true1}', "nul", "tru", "/* c */ {}", '{"a": 1, }',
        '{"type": "ping", "id": 1}',
    ])
    await still_serving(s)


@scenario(name="hostile_non_object_json", tags=["hostile", "json"])
async def hostile_non_object_json(s):
    """valid JSON that is not an object -> invalid_message; no request_id is guessed from a list"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        "[]", '[{"type": "ping", "id": 1}]', '"ping"', "1", "-0", "1.5e3", "null", "true", "false",
        '""', "[[[]]]", '  {"type": "ping", "id": 2}  ',
    ])
    await still_serving(s)


@scenario(name="hostile_binary_frames", tags=["hostile", "binary"])
async def hostile_binary_frames(s):
    """binary frames (empty, a JSON request, invalid UTF-8, NULs) -> invalid_message, before the rate limiter"""
    c1, _ = await connect(s, "c1")
    for data in (b"", b'{"type": "ping", "id": 1}', b"\xff\xfe\xfd", b"\xc0\x80", b"\x00" * 64,
                 b"\xed\xa0\x80", bytes(range(256))):
        await c1.send_binary(data)
        await c1.recv()
    await ask(c1, {"type": "ping", "id": 2})
    await still_serving(s)


@scenario(name="hostile_oversize_frames", tags=["hostile", "limits"], settings={"max_message_size": 4096})
async def hostile_oversize_frames(s):
    """text and binary frames over max_message_size close that connection with 1009; others keep working"""
    c1, _ = await connect(s, "c1")
    await ask(c1, {"type": "echo", "data": "x" * 4000, "id": 1})
    await c1.send({"type": "echo", "data": "y" * 5000, "id": 2})
    assert await c1.expect_closed() == 1009
    c2, _ = await connect(s, "c2")
    await c2.send_binary(b"\x00" * 100_000)
    assert await c2.expect_closed() == 1009
    c3, _ = await connect(s, "c3")
    await c3.send("[" * 4097)
    assert await c3.expect_closed() == 1009
    await still_serving(s)


@scenario(name="hostile_deep_nesting", tags=["hostile", "json"])
async def hostile_deep_nesting(s):
    """10,000-deep arrays/objects (balanced, unbalanced, inside a request) -> invalid_json, no recursion crash"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        "[" * DEPTH + "]" * DEPTH,
        '{"a": ' * DEPTH + "1" + "}" * DEPTH,
        "[" * DEPTH,
        '{"type": "echo", "id": 1, "data": ' + "[" * DEPTH + "]" * DEPTH + "}",
        '{"type": "echo", "id": 2, "data": ' + '{"a": ' * DEPTH + "null" + "}" * DEPTH + "}",
        '{"type": "echo", "id": 3, "data": ' + "[" * 62 + "]" * 62 + "}",
        '{"type": "echo", "id": 4, "data": ' + "[" * 63 + "]" * 63 + "}",
        '{"type": "echo", "id": 5, "data": ' + "[" * 64 + "]" * 64 + "}",
        '{"type": "login", "id": 6, "username": ' + "[" * 500 + "]" * 500 + ', "password": "x"}',
        {"type": "ping", "id": 7},
    ])
    await still_serving(s)


@scenario(name="hostile_numbers", tags=["hostile", "json"])
async def hostile_numbers(s):
    """huge ints (4300 vs 4301 digits), NaN/Infinity, overflowing floats -> invalid_json; big but valid numbers echo"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        '{"type": "echo", "id": 1, "data": ' + "9" * 4300 + "}",
        '{"type": "echo", "id": 2, "data": ' + "9" * 4301 + "}",
        '{"type": "echo", "id": 3, "data": -' + "9" * 5000 + "}",
        '{"type": "ping", "id": ' + "1" * 4301 + "}",
        '{"type": "echo", "id": 4, "data": NaN}', '{"type": "echo", "id": 5, "data": Infinity}',
        '{"type": "echo", "id": 6, "data": -Infinity}', '{"type": "echo", "id": 7, "data": 1e400}',
        '{"type": "echo", "id": 8, "data": -1e400}', '{"type": "echo", "id": 9, "data": 1e-400}',
        '{"type": "echo", "id": 10, "data": 1.7976931348623157e308}', '{"type": "echo", "id": 11, "data": -0.0}',
        '{"type": "echo", "id": 12, "data": 123456789012345678901234567890}',
        '{"type": "echo", "id": 13, "data": 0.1e-5}', '{"type": "echo", "id": 14, "data": nan}',
        '{"type": "ping", "id": 1e400}', '{"type": "ping", "id": ' + "9" * 100 + "}",
        {"type": "login", "id": 15, "username": 10 ** 100, "password": 1e300},
        {"type": "ping", "id": 16},
    ])
    await still_serving(s)


@scenario(name="hostile_unicode", tags=["hostile", "unicode"])
async def hostile_unicode(s):
    """lone surrogates (escaped, since a text frame must be UTF-8), NUL, BOM, RTL and astral characters
    in every kind of field: answered and echoed with \\uXXXX escapes"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        '{"type": "echo", "id": 1, "data": "\\ud800"}', '{"type": "echo", "id": 2, "data": "\\udfff\\ud800"}',
        '{"type": "echo", "id": 3, "data": {"\\ud83d": "\\ude00"}}', '{"type": "ping\\ud800", "id": 4}',
        '{"type": "\\u0000", "id": 5}', '{"type": "echo", "id": "\\ud800", "data": null}',
        '{"type": "login", "id": 6, "username": "\\ud800", "password": "\\udc00"}',
        '{"type": "echo", "id": 7, "data": "\\u202e\\ufeff\\u0000\\ud83d\\ude00\\u00e9"}',
        {"type": "echo", "id": 8, "data": "\u00e9\u4e2d\U0001f600"},
        {"type": "login", "id": 9, "username": "tr\u0000ader", "password": "trader123"},
        {"type": "login", "id": 10, "username": "TRADER", "password": "trader123"},
        {"type": "ping", "id": 11},
    ])
    await still_serving(s)


@scenario(name="hostile_message_type", tags=["hostile", "protocol"])
async def hostile_message_type(s):
    """missing/null/non-string/empty/odd-case/padded/unknown `type` -> invalid_message or invalid_message_type"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        {"id": 1}, {"type": None, "id": 2}, {"type": 1, "id": 3}, {"type": True, "id": 4},
        {"type": [], "id": 5}, {"type": {}, "id": 6}, {"type": ["ping"], "id": 7}, {"type": "", "id": 8},
        {"type": " ping", "id": 9}, {"type": "ping ", "id": 10}, {"type": "ping\n", "id": 11},
        {"type": "PiNg", "id": 12}, {"type": "P\u0130NG", "id": 13}, {"type": "__init__", "id": 14},
        {"type": "handle_ping", "id": 15}, {"type": "__class__", "id": 16}, {"type": "_send", "id": 17},
        {"type": "stop", "id": 18}, {"type": "broadcast_to_subscribers", "id": 19}, {"type": "get_stats", "id": 20},
        {"type": "response", "id": 21}, {"type": "error", "id": 22}, {"type": "x" * 10_000, "id": 23},
        {"Type": "ping", "id": 24}, {"type": "ping", "id": 25},
    ])
    await still_serving(s)


LONG = "A" * 20_000


@scenario(name="hostile_long_strings", tags=["hostile", "limits"])
async def hostile_long_strings(s):
    """20 kB strings in every kind of field: structured errors, never an internal error"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        {"type": "login", "id": 1, "username": LONG, "password": LONG},
        {"type": "login", "id": 2, "token": LONG},
        {"type": "refresh_token", "id": 3, "refresh_token": LONG},
        {"type": "reconnect", "id": 4, "reconnect_token": LONG},
        {"type": "reconnect", "id": 5, "reconnect_token": LONG + ":" + LONG},
        {"type": "ping", "id": 6, "session_id": LONG[:1000]},
        {"type": "login", "id": 7, "username": "admin", "password": "admin123"},
        {"type": "subscribe", "id": 8, "stream": LONG},
        {"type": "subscribe", "id": 9, "stream": "orders", "symbols": [LONG]},
        {"type": "subscribe", "id": 10, "stream": "orders", "symbols": ["BTC_" + "U" * 28, "BTC_" + "U" * 29]},
        {"type": "session_start", "id": 11, "session_type": LONG, "strategy_config": {"RSIStrategy": ["BTC_USDT"]}},
        {"type": "session_start", "id": 12, "session_type": "paper", "strategy_config": {LONG[:5000]: ["BTC_USDT"]}},
        {"type": "session_status", "id": 13, "session_id": LONG},
        {"type": "collection_start", "id": 14, "symbols": ["BTC_USDT"], "duration": LONG},
        {"type": "collection_status", "id": 15, "collection_id": LONG},
        {"type": "activate_strategy", "id": 16, "strategy_name": LONG, "symbol": "BTC_USDT"},
        {"type": "validate_strategy_config", "id": 17, "strategy_name": "RSIStrategy", "config": {LONG[:5000]: 1}},
        {"type": "upsert_strategy", "id": 18, "strategy_name": LONG[:300], "config": {}},
        {"type": "command", "id": 19, "command": LONG},
        {"type": "echo", "id": 20, "data": LONG},
    ])
    await still_serving(s)
