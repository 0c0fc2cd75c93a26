"""Subscription handlers."""

import pytest


@pytest.mark.parametrize("message,code,text", [
    ({"type": "subscribe"}, "missing_parameters", "Required: stream"),
    ({"type": "subscribe", "stream": "x"}, "invalid_parameter", "Unknown stream"),
    ({"type": "subscribe", "stream": "orders", "symbols": "BTC"}, "invalid_parameter", "Invalid parameter: symbols"),
    ({"type": "subscribe", "stream": "orders", "symbols": ["btc-usdt"]}, "invalid_parameter", "Invalid symbol format"),
    ({"type": "subscribe", "stream": "orders", "symbols": ["DOGE_USDT"]}, "invalid_parameter", "Symbol not allowed: DOGE_USDT"),
    ({"type": "unsubscribe", "stream": "orders"}, "not_subscribed", "Not subscribed to stream: orders"),
])
def test_errors(trader, message, code, text):
    reply = trader.send(message)[0]
    assert (reply["error_code"], reply["error_message"]) == (code, text)


def test_authentication_first(driver):
    assert driver.connect().send({"type": "subscribe"})[0]["error_code"] == "authentication_required"


def test_subscribe_normalises_and_indexes(trader, driver):
    reply = trader.send({"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt", "BTC_USDT", "eth_usdt"]})[0]
    assert reply["symbols"] == ["BTC_USDT", "ETH_USDT"]
    assert driver.engine.app.registry.subscribers("market_data") == [trader.conn]
    again = trader.send({"type": "subscribe", "stream": "market_data"})[0]
    assert again["error_message"] == "Already subscribed to stream: market_data"
    assert trader.send({"type": "unsubscribe", "stream": "market_data"})[0]["status"] == "unsubscribed"
    assert driver.engine.app.registry.subscribers("market_data") == []


def test_broadcast_effect(driver):
    from refactored.core.immediate import complete
    from refactored.handlers.subscriptions import broadcast
    app = driver.engine.app
    assert complete(broadcast(app, "nope", {}, None)) is None
    first = complete(broadcast(app, "orders", {"x": 1}, "c9"))
    assert (first.message_id, first.exclude, first.frame["data"]) == ("broadcast:1", "c9", {"x": 1, "message_id": "broadcast:1"})
    assert complete(broadcast(app, "orders", {"message_id": "m"}, None)).message_id == "m"
    plain = complete(broadcast(app, "account", 5, None))
    assert plain.message_id is None and plain.frame == {"type": "account", "stream": "account", "data": {"value": 5}, "timestamp": "T"}
    assert complete(broadcast(app, "positions", {}, None)).message_id == "broadcast:2"
