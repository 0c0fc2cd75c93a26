"""subscribe / unsubscribe and broadcast_to_subscribers."""

import pytest

from legacy_support import assert_error


async def test_subscribe_requires_auth(client):
    for t in ("subscribe", "unsubscribe"):
        r = await client.request({"type": t, "stream": "orders", "session_id": "abc"})
        assert_error(r, "authentication_required", "Authentication required")
        assert r["session_id"] == "abc"


async def test_subscribe_and_unsubscribe(trader):
    r = await trader.request({"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt", "BTC_USDT", "eth_usdt"]})
    assert list(r) == ["type", "status", "stream", "symbols", "timestamp", "request_id"]
    assert r["status"] == "subscribed" and r["symbols"] == ["BTC_USDT", "ETH_USDT"]
    r = await trader.request({"type": "subscribe", "stream": "market_data"})
    assert_error(r, "already_subscribed", "Already subscribed to stream: market_data")
    r = await trader.request({"type": "subscribe", "stream": "orders", "symbols": None})
    assert r["symbols"] == []
    r = await trader.request({"type": "subscribe", "stream": "sessions", "symbols": []})
    assert r["symbols"] == []
    r = await trader.request({"type": "unsubscribe", "stream": "market_data"})
    assert list(r) == ["type", "status", "stream", "timestamp", "request_id"]
    r = await trader.request({"type": "unsubscribe", "stream": "market_data"})
    assert_error(r, "not_subscribed", "Not subscribed to stream: market_data")


@pytest.mark.parametrize("msg,code,text", [
    ({}, "missing_parameters", "Required: stream"),
    ({"stream": None}, "missing_parameters", "Required: stream"),
    ({"stream": "nope"}, "invalid_parameter", "Unknown stream"),
    ({"stream": 5}, "invalid_parameter", "Unknown stream"),
    ({"stream": ["orders"]}, "invalid_parameter", "Unknown stream"),
    ({"stream": "MARKET_DATA"}, "invalid_parameter", "Unknown stream"),
    ({"stream": "market_data", "symbols": "BTC_USDT"}, "invalid_parameter", "Invalid parameter: symbols"),
    ({"stream": "market_data", "symbols": {"a": 1}}, "invalid_parameter", "Invalid parameter: symbols"),
    ({"stream": "market_data", "symbols": [5]}, "invalid_parameter", "Invalid symbol format"),
    ({"stream": "market_data", "symbols": ["BTCUSDT"]}, "invalid_parameter", "Invalid symbol format"),
    ({"stream": "market_data", "symbols": ["BTC-USDT"]}, "invalid_parameter", "Invalid symbol format"),
    ({"stream": "market_data", "symbols": ["A" * 40 + "_B"]}, "invalid_parameter", "Invalid symbol format"),
    ({"stream": "market_data", "symbols": ["\u00e9x_Y"]}, "invalid_parameter", "Invalid symbol format"),
    ({"stream": "market_data", "symbols": ["\u00dfx_Y"]}, "invalid_parameter", "Symbol not allowed: SSX_Y"),
    ({"stream": "market_data", "symbols": ["doge_usdt"]}, "invalid_parameter", "Symbol not allowed: DOGE_USDT"),
    ({"stream": "market_data", "symbols": ["BTC_USDT", "x"]}, "invalid_parameter", "Invalid symbol format"),
])
async def test_subscribe_errors(trader, msg, code, text):
    r = await trader.request(dict(msg, type="subscribe"))
    assert_error(r, code, text)
    r = await trader.request(dict(msg, type="unsubscribe")) if "symbols" not in msg else None
    if r is not None:
        assert_error(r, code, text)


async def test_broadcast_filters(server, make_client):
    a = await make_client(server)
    await a.login("trader")
    b = await make_client(server)
    await b.login("viewer")
    c = await make_client(server)
    await c.login("admin")
    await a.request({"type": "subscribe", "stream": "market_data"})
    await b.request({"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"]})
    n = await server.broadcast_to_subscribers("market_data", {"symbol": "BTC_USDT", "price": 1.0})
    assert n == 1
    f = await a.recv()
    assert f == {"type": "market_data", "stream": "market_data", "data": {"symbol": "BTC_USDT", "price": 1.0},
                 "timestamp": f["timestamp"]}
    n = await server.broadcast_to_subscribers("market_data", {"symbol": "ETH_USDT"}, exclude_client=a.client_id)
    assert n == 1
    assert (await b.recv())["data"] == {"symbol": "ETH_USDT"}
    n = await server.broadcast_to_subscribers("market_data", {"note": "no symbol"})
    assert n == 2
    assert (await a.recv())["data"] == {"note": "no symbol"}
    assert (await b.recv())["data"] == {"note": "no symbol"}
    assert await server.broadcast_to_subscribers("bogus", {"x": 1}) == 0
    assert await server.broadcast_to_subscribers("indicators", {"x": 1}) == 0
    # c got nothing: the next frame it sees is its own reply
    assert (await c.request({"type": "ping"}))["type"] == "pong"


async def test_broadcast_critical_adds_message_id(trader, server):
    await trader.request({"type": "subscribe", "stream": "orders"})
    assert await server.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT"}) == 1
    assert await server.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT"}) == 1
    assert await server.broadcast_to_subscribers("orders", {"message_id": "m1"}) == 1
    assert await server.broadcast_to_subscribers("orders", {"message_id": "m1"}) == 0  # dedup
    ids = [(await trader.recv())["data"]["message_id"] for _ in range(3)]
    assert ids == ["broadcast:1", "broadcast:2", "m1"]


async def test_trailing_newline_quirk(trader):
    r = await trader.request({"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt\n"]})
    assert_error(r, "invalid_parameter", "Symbol not allowed: BTC_USDT\n")
    r = await trader.request({"type": "collection_start", "symbols": ["BTC_USDT"], "duration": "1h\n"})
    assert r["duration"] == "1h\n" and r["bars_total"] == 60
