"""Protocol messages, frame processing order and hostile input."""

import asyncio
import json

import pytest

from legacy_support import assert_error

ISO_SUFFIX = "+00:00"


async def test_welcome_frame(client):
    w = client.welcome
    assert list(w) == ["type", "status", "client_id", "reconnect_token", "server_time", "features", "timestamp"]
    assert w["type"] == "status" and w["status"] == "connected"
    assert w["client_id"].startswith("client_")
    prefix, digest = w["reconnect_token"].split(":")
    assert prefix == w["client_id"] and len(digest) == 20
    assert w["features"] == ["reconnect", "heartbeat", "subscriptions"]
    assert w["timestamp"].endswith(ISO_SUFFIX)


async def test_ping_pong_case_insensitive(client):
    for t in ("ping", "PING", "Ping"):
        r = await client.request({"type": t})
        assert list(r) == ["type", "timestamp", "request_id"]
        assert r["type"] == "pong"


async def test_reply_without_id_has_no_request_id(client):
    await client.send({"type": "ping"})
    r = await client.reply()
    assert r == {"type": "pong", "timestamp": r["timestamp"]}


@pytest.mark.parametrize("rid", [0, "abc", None, [1, {"a": 2}], {"x": 1}, 1.5, True, -7])
async def test_request_id_any_json_value(client, rid):
    await client.send({"type": "ping", "id": rid})
    r = await client.reply()
    assert list(r)[-1] == "request_id"
    assert r["request_id"] == rid


async def test_heartbeat(client):
    r = await client.request({"type": "heartbeat"})
    assert r["status"] == "heartbeat_ack" and r["client_id"] == client.client_id
    assert list(r) == ["type", "status", "client_id", "timestamp", "request_id"]


async def test_echo(client):
    data = {"x": [1, 2.5, "\u00e9", None, True], "n": {"deep": [[1]]}}
    await client.send({"type": "echo", "data": data, "id": 9})
    raw = await client.ws.recv()
    assert "\\u00e9" in raw  # ensure_ascii
    r = json.loads(raw)
    assert r["data"] == data and r["status"] == "echo"
    r = await client.request({"type": "echo"})
    assert r["data"] is None


async def test_echo_lone_surrogate(client):
    await client.send('{"type":"echo","data":"\\ud800x","id":1}')
    raw = await client.ws.recv()
    assert "\\ud800x" in raw


async def test_version(client):
    r = await client.request({"type": "version"})
    assert list(r) == ["type", "status", "version", "protocol_version", "server", "timestamp", "request_id"]
    assert r["version"] == "2.0.0" and r["protocol_version"] == "1.0"
    assert r["server"] == "legacy-trading-websocket-api"


async def test_capabilities(client):
    r = await client.request({"type": "capabilities"})
    assert r["status"] == "capabilities"
    assert "session_start" in r["message_types"] and len(r["message_types"]) == 28
    assert r["streams"] == ["market_data", "indicators", "orders", "positions", "account", "sessions"]
    assert r["session_types"] == ["backtest", "paper", "live"]
    assert r["strategies"] == ["MovingAverageCross", "RSIStrategy", "BollingerBands"]
    assert r["symbols"] == ["BTC_USDT", "ETH_USDT", "SOL_USDT", "BNB_USDT", "XRP_USDT"]
    assert r["commands"] == ["get_stats", "health_check"]
    assert r["max_message_size"] == 1048576


async def test_server_time(client):
    r = await client.request({"type": "server_time"})
    assert r["status"] == "server_time" and r["server_time"].endswith(ISO_SUFFIX)


async def test_handshake(client):
    r = await client.request({"type": "handshake", "protocol_version": "9"})
    assert r["status"] == "handshake_ack" and r["authenticated"] is False
    assert r["client_id"] == client.client_id
    await client.login()
    r = await client.request({"type": "HandShake"})
    assert r["authenticated"] is True


@pytest.mark.parametrize("raw", ["{", "", "nope", '{"a":1,}', '{"x": NaN}', '{"x": Infinity}',
                                 '{"x": -Infinity}', '{"x": 1e400}', "1" * 5000,
                                 "[" * 100000 + "]" * 100000, '{"a":' * 65 + "1" + "}" * 65])
async def test_invalid_json(client, raw):
    await client.send(raw)
    r = await client.reply()
    assert_error(r, "invalid_json", "Invalid JSON format")
    assert r["session_id"] is None and "request_id" not in r
    assert (await client.request({"type": "ping"}))["type"] == "pong"


async def test_nesting_at_limit_is_accepted(client):
    data = 1
    for _ in range(63):
        data = [data]
    r = await client.request({"type": "echo", "data": data})
    assert r["data"] == data


@pytest.mark.parametrize("raw", ["[1, 2]", "1", '"str"', "null", "true", '[{"type":"ping","id":1}]'])
async def test_non_object_json(client, raw):
    await client.send(raw)
    r = await client.reply()
    assert_error(r, "invalid_message", "Message must be a JSON object")
    assert "request_id" not in r


async def test_binary_frame(client):
    await client.send(b'{"type":"ping","id":1}')
    r = await client.reply()
    assert_error(r, "invalid_message", "Binary frames are not supported")
    assert "request_id" not in r


async def test_missing_and_bad_type(client):
    r = await client.request({"foo": 1})
    assert_error(r, "invalid_message", "Missing message type")
    r = await client.request({"type": None})
    assert_error(r, "invalid_message", "Missing message type")
    for t in (5, ["ping"], {"a": 1}, True, 1.5):
        r = await client.request({"type": t})
        assert_error(r, "invalid_message", "Message type must be a string")


async def test_unknown_type(client):
    for t in ("nope", "", "x" * 10000, "\ud800", "ping "):
        r = await client.request({"type": t, "session_id": "s1"})
        assert_error(r, "invalid_message_type", "Unknown message type")
        assert r["session_id"] == "s1"


async def test_error_session_id_only_when_string(client):
    r = await client.request({"type": "nope", "session_id": 5})
    assert r["session_id"] is None


async def test_huge_int_in_field(client):
    r = await client.request({"type": "echo", "data": int("9" * 4000)})
    assert r["data"] == int("9" * 4000)
    await client.send('{"type":"echo","data":' + "9" * 4301 + "}")
    assert_error(await client.reply(), "invalid_json")


async def test_every_request_gets_exactly_one_reply(trader):
    msgs = [{"type": t, "id": i} for i, t in enumerate(
        ["ping", "heartbeat", "echo", "version", "capabilities", "server_time", "handshake", "command",
         "logout", "refresh_token", "reconnect", "subscribe", "unsubscribe", "session_start",
         "session_stop", "session_status", "collection_start", "collection_stop",
         "collection_status", "results_request", "get_strategies", "activate_strategy",
         "deactivate_strategy", "strategy_status", "validate_strategy_config", "upsert_strategy",
         "auth", "login", "bogus"])]
    for m in msgs:
        await trader.send(m)
    got = []
    for _ in msgs:
        got.append((await trader.reply())["request_id"])
    assert got == [m["id"] for m in msgs]
    assert (await trader.request({"type": "ping"}))["type"] == "pong"


async def test_any_path_and_compression(server):
    from websockets.asyncio.client import connect

    for path, compression in (("/any/path?x=1", "deflate"), ("/", None)):
        async with connect(f"ws://127.0.0.1:{server.port}{path}", proxy=None, compression=compression) as ws:
            welcome = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert welcome["status"] == "connected"
            await ws.send('{"type":"ping","id":"p"}')
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["request_id"] == "p"


async def test_handler_exception_gives_structured_error(server, client, caplog):
    async def boom(client_id, message):
        raise RuntimeError("secret internals /etc/passwd")

    server._handle_version = boom
    r = await client.request({"type": "VERSION", "session_id": "s"})
    assert_error(r, "version_failed", "Internal server error")
    assert r["session_id"] == "s" and "secret" not in json.dumps(r)
    assert (await client.request({"type": "ping"}))["type"] == "pong"
    assert any("RuntimeError" in rec.getMessage() for rec in caplog.records)
    assert not any("secret" in rec.getMessage() for rec in caplog.records)
    caplog.clear()
