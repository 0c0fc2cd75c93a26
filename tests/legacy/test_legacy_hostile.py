"""Hostile input on every message type: always one structured reply, never an internal error."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legacy_support import assert_error

BASE = {
    "ping": {}, "heartbeat": {}, "echo": {"data": 1}, "version": {}, "capabilities": {}, "server_time": {},
    "handshake": {}, "command": {"command": "get_stats"},
    "auth": {"username": "admin", "password": "admin123"}, "login": {"token": "x"},
    "logout": {}, "refresh_token": {"refresh_token": "x"}, "reconnect": {"reconnect_token": "client_x:y"},
    "subscribe": {"stream": "market_data", "symbols": ["BTC_USDT"]},
    "unsubscribe": {"stream": "market_data"},
    "session_start": {"session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
                      "config": {"bars": 5}, "idempotent": True},
    "session_stop": {"session_id": "session_x"}, "session_status": {"session_id": "session_x"},
    "collection_start": {"symbols": ["BTC_USDT"], "duration": "1m", "strategies": ["RSIStrategy"]},
    "collection_stop": {"collection_id": "c"}, "collection_status": {"collection_id": "c"},
    "results_request": {"collection_id": "c"},
    "get_strategies": {}, "activate_strategy": {"strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "config": {}},
    "deactivate_strategy": {"strategy_name": "RSIStrategy", "symbol": "BTC_USDT"},
    "strategy_status": {"strategy_name": "RSIStrategy"},
    "validate_strategy_config": {"strategy_name": "RSIStrategy", "config": {"period": 3}},
    "upsert_strategy": {"strategy_name": "Fuzzed", "config": {"a": 1}},
}

BAD_VALUES = [None, True, False, 0, -1, 1.5, 10 ** 30, "", "x" * 5000, "\ud800", "a\u0000b", "../x",
              [], [None], [1, [2]], {}, {"a": {"b": []}}, ["BTC_USDT", 5], {"RSIStrategy": [1]},
              {"RSIStrategy": "BTC_USDT"}, {"": []}, {"period": "x", "bars": -1}]

EXTRA_FIELDS = ["session_id", "symbols", "config", "data", "token"]


def assert_structured(frame, request_id):
    assert frame["type"] in ("response", "error", "pong"), frame
    assert frame["request_id"] == request_id
    if frame["type"] == "error":
        assert frame["error_message"] != "Internal server error", frame
        assert list(frame)[:5] == ["type", "error_code", "error_message", "session_id", "timestamp"]


async def test_mutated_fields_on_every_type(make_server, make_client):
    server = await make_server({"lockout_threshold": 10 ** 9})
    c = await make_client(server)
    await c.login("admin")
    n = 0
    for msg_type, base in BASE.items():
        fields = list(base) + [f for f in EXTRA_FIELDS if f not in base]
        for field in fields:
            for value in BAD_VALUES:
                n += 1
                msg = dict(base, type=msg_type, id=n)
                msg[field] = value
                await c.send(json.dumps(msg))
                assert_structured(await c.reply(), n)
                if msg_type in ("auth", "login", "logout", "refresh_token", "reconnect"):
                    await c.login("admin")
        # and with every field missing
        n += 1
        await c.send(json.dumps({"type": msg_type.upper(), "id": n}))
        assert_structured(await c.reply(), n)
        if msg_type == "logout":
            await c.login("admin")
    assert (await c.request({"type": "ping"}))["type"] == "pong"


fuzz_client_counter = [0]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(msg_type=st.sampled_from(sorted(BASE) + ["PING", "Session_Start", "nope"]),
       fields=st.dictionaries(st.sampled_from(sorted({f for b in BASE.values() for f in b} | set(EXTRA_FIELDS))),
                              json_values, max_size=4))
def test_random_messages(fuzz_client, msg_type, fields):
    run, client = fuzz_client
    fuzz_client_counter[0] += 1
    rid = fuzz_client_counter[0]
    msg = dict(fields, type=msg_type, id=rid)

    async def go():
        await client.send(json.dumps(msg))
        assert_structured(await client.reply(), rid)
        if msg_type in ("auth", "login", "logout", "refresh_token", "reconnect"):
            await client.request({"type": "login", "username": "admin", "password": "admin123", "id": "relogin"})

    run(go())


async def test_garbage_frames(client):
    for raw in ["\x00", "{\"type\": \"ping\"", "\"\\ud800\"", "{\"type\": \"ping\", \"type\": \"echo\", \"id\": 1}",
                "{}" * 3, " ", "\ufeff{}", "{\"type\":\"ping\",\"id\":1e999}"]:
        await client.send(raw)
        frame = await client.reply()
        assert frame["type"] in ("error", "response", "pong")
    await client.send('{"type": "ping", "type": "echo", "id": 1}')
    assert (await client.reply())["status"] == "echo"  # duplicate keys: the last one wins
    await client.send('{"type":"ping","id":1e999}')
    assert_error(await client.reply(), "invalid_json", "Invalid JSON format")
