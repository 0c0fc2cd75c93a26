"""The sans-I/O engine: order of checks, the error boundary, pushes, reconnects."""

import logging

import pytest

from refactored.core.effects import Publish, Push
from refactored.core.errors import AtCapacity
from refactored.core.state import ConnectionState
from refactored.core.effects import Delivery
from refactored.core.immediate import complete

LOGIN = {"type": "login", "username": "trader", "password": "trader123"}


def test_welcome(driver):
    client = driver.connect()
    (welcome,) = client.received
    assert list(welcome) == ["type", "status", "client_id", "reconnect_token", "server_time", "features", "timestamp"]
    assert welcome["client_id"].startswith("client_") and len(welcome["client_id"]) == 23
    assert welcome["reconnect_token"].startswith(welcome["client_id"] + ":")
    assert client.conn.state is ConnectionState.CONNECTED


def test_capacity(make_driver):
    driver = make_driver(max_connections=1)
    driver.connect()
    with pytest.raises(AtCapacity):
        driver.connect()
    stats = driver.engine.app.counters
    assert (stats.accepted, stats.rejected) == (1, 1)


@pytest.mark.parametrize("data,code,message", [
    (b"\x00", "invalid_message", "Binary frames are not supported"),
    ("{", "invalid_json", "Invalid JSON format"),
    ("[1]", "invalid_message", "Message must be a JSON object"),
    ("{}", "invalid_message", "Missing message type"),
    ('{"type": "nope", "session_id": "s1"}', "invalid_message_type", "Unknown message type"),
])
def test_frame_errors(driver, data, code, message):
    (reply,) = driver.connect().send(data)
    assert (reply["error_code"], reply["error_message"]) == (code, message)


def test_error_carries_string_session_id_only(driver):
    client = driver.connect()
    assert client.send({"type": "nope", "session_id": "s1"})[0]["session_id"] == "s1"
    assert client.send({"type": "nope", "session_id": 5})[0]["session_id"] is None


def test_rate_limit_counts_json_objects_only(make_driver):
    client = make_driver({"rate_limit": 5, "rate_window": 10}).connect()
    for _ in range(3):
        client.send("not json")
    kinds = [client.send({"type": "ping", "id": n})[0]["type"] for n in range(6)]
    assert kinds == ["pong"] * 5 + ["error"]
    assert client.received[-1]["error_code"] == "rate_limit_exceeded"
    assert client.received[-1]["request_id"] == 5


def test_rate_window_resets(make_driver, fake_time):
    client = make_driver({"rate_limit": 1, "rate_window": 10}).connect()
    client.send({"type": "ping"})
    assert client.send({"type": "ping"})[0]["type"] == "error"
    fake_time.now += 10
    assert client.send({"type": "ping"})[0]["type"] == "pong"


def test_rate_limit_is_per_ip(make_driver):
    driver = make_driver({"rate_limit": 1})
    a, b = driver.connect("10.0.0.1"), driver.connect("10.0.0.2")
    a.send({"type": "ping"})
    assert a.send({"type": "ping"})[0]["type"] == "error"
    assert b.send({"type": "ping"})[0]["type"] == "pong"


def test_request_id_is_last_on_errors_too(driver):
    (reply,) = driver.connect().send({"type": "nope", "id": [1, "x"]})
    assert list(reply)[-1] == "request_id" and reply["request_id"] == [1, "x"]


def test_unexpected_exception_is_generic_and_logged(driver, caplog, monkeypatch):
    def boom(*args):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(type(driver.engine.app.catalogue), "names", boom)
    client = driver.connect()
    client.send(LOGIN)
    with caplog.at_level(logging.ERROR):
        (reply,) = client.send({"type": "GET_STRATEGIES", "id": 1, "session_id": "s"})
    assert reply["error_code"] == "get_strategies_failed" and reply["error_message"] == "Internal server error"
    assert reply["session_id"] == "s" and "secret" not in str(reply)
    assert "secret detail" in caplog.text


def test_counters(driver):
    client = driver.connect()
    client.send(b"x")
    client.send({"type": "ping"})
    client.send({"type": "nope"})
    counters = driver.engine.app.counters
    assert (counters.received, counters.processed) == (3, 2)


def test_close_keeps_session_for_reconnect(driver):
    client = driver.connect()
    client.send(LOGIN)
    client.send({"type": "subscribe", "stream": "orders"})
    token = client.received[0]["reconnect_token"]
    client.close()
    assert client.conn.state is ConnectionState.DISCONNECTED
    again = driver.connect(reconnect_token=token)
    welcome = again.received[0]
    assert (welcome["status"], welcome["client_id"], welcome["username"]) == ("reconnected", client.conn.client_id, "trader")
    assert welcome["subscriptions"] == {"orders": []} and welcome["queued_messages"] == 0
    assert driver.engine.app.counters.reconnections == 1


@pytest.mark.parametrize("forge", [lambda cid, token: cid + ":forged", lambda cid, token: token[:-1] + ("1" if token[-1] == "0" else "0")])
def test_forged_token_gets_a_fresh_identity(driver, forge):
    client = driver.connect()
    client.close()
    again = driver.connect(reconnect_token=forge(client.conn.client_id, client.received[0]["reconnect_token"]))
    assert again.conn.client_id != client.conn.client_id and again.received[0]["status"] == "connected"


def test_replayed_token_rejected(driver):
    client = driver.connect()
    token = client.received[0]["reconnect_token"]
    client.close()
    driver.connect(reconnect_token=token).close()
    assert driver.connect(reconnect_token=token).received[0]["status"] == "connected"


def test_queued_critical_frames_delivered_once_on_reconnect(driver):
    client = driver.connect()
    token, client_id = client.received[0]["reconnect_token"], client.conn.client_id
    client.close()
    for n in (1, 2, 2):
        driver.apply(Push(client_id, {"type": "orders", "n": n}, f"{client_id}:{n}"))
    again = driver.connect(reconnect_token=token)
    assert [f.get("n") for f in again.received] == [None, 1, 2]
    assert again.received[0]["queued_messages"] == 2
    driver.flush()
    assert len(again.received) == 3


def test_duplicate_critical_push_to_connected_client_sent_once(driver):
    client = driver.connect()
    for _ in range(2):
        driver.apply(Push(client.conn.client_id, {"type": "orders"}, "m1"))
    assert len(client.received) == 2


def test_failed_critical_write_is_retried_by_the_flusher(driver):
    client = driver.connect()
    complete(driver.engine.retry(client.conn, Delivery([client.conn], "{}", "m1", {"type": "orders", "n": 1})))
    driver.flush()
    assert client.received[-1] == {"type": "orders", "n": 1}


def test_pushes_to_unknown_clients_are_dropped(driver):
    driver.apply(Push("nobody", {"type": "x"}))
    driver.apply(Push("nobody", {"type": "x"}, "m1"))
    assert complete(driver.engine.app.delivery.clients()) == []


def test_publish_encodes_once_and_filters_symbols(driver):
    a, b, c = (driver.connect() for _ in range(3))
    for client in (a, b, c):
        client.send(LOGIN)
    a.send({"type": "subscribe", "stream": "market_data"})
    b.send({"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"]})
    c.send({"type": "subscribe", "stream": "market_data", "symbols": ["BTC_USDT"]})
    frame = {"type": "market_data", "data": {"symbol": "BTC_USDT"}}
    (delivery,) = complete(driver.engine.deliveries(Publish("market_data", frame)))
    assert delivery.conns == [a.conn, c.conn]
    (delivery,) = complete(driver.engine.deliveries(Publish("market_data", frame, exclude=a.conn.client_id)))
    assert delivery.conns == [c.conn]


def test_critical_publish_queues_for_absent_subscribers(driver):
    client = driver.connect()
    client.send(LOGIN)
    client.send({"type": "subscribe", "stream": "orders", "symbols": ["BTC_USDT"]})
    token = client.received[0]["reconnect_token"]
    client.close()
    for symbol in ("ETH_USDT", "BTC_USDT"):
        frame = {"type": "orders", "data": {"symbol": symbol}}
        assert complete(driver.engine.deliveries(Publish("orders", frame, message_id=symbol))) == []
    again = driver.connect(reconnect_token=token)
    assert again.received[1:] == [{"type": "orders", "data": {"symbol": "BTC_USDT"}}]


def test_maintain_purges_expired_sessions_and_their_queues(make_driver, fake_time):
    driver = make_driver({"session_ttl": 10})
    client = driver.connect()
    client.close()
    driver.apply(Push(client.conn.client_id, {"type": "orders"}, "m1"))
    fake_time.now += 11
    complete(driver.engine.maintain())
    assert len(driver.engine.app.reconnects) == 0 and complete(driver.engine.app.delivery.pending(client.conn.client_id)) == 0


def test_failed_connection_goes_through_error(driver):
    client = driver.connect()
    driver.engine.fail(client.conn)
    assert client.conn.state is ConnectionState.ERROR
    assert driver.engine.app.registry.by_state()["error"] == 1
    client.close()
    assert client.conn.state is ConnectionState.DISCONNECTED and complete(driver.engine.app.reconnects.saved_count()) == 1


def test_maintain_forgets_delivery_state_of_unknown_clients(driver):
    client = driver.connect()
    driver.apply(Push(client.conn.client_id, {"type": "orders"}, "m1"))
    driver.apply(Push("evicted", {"type": "orders"}, "m2"))
    complete(driver.engine.app.delivery.first_time("evicted", "m2"))
    complete(driver.engine.maintain())
    assert driver.engine.app.delivery.known() == {client.conn.client_id}


def test_a_critical_frame_is_held_while_the_shared_store_is_away_then_sent_once(driver, monkeypatch):
    from refactored.core.errors import BackendUnavailable

    client = driver.connect()
    delivery = driver.engine.app.delivery
    record = delivery.first_time

    async def away(client_id, message_id):
        raise BackendUnavailable()

    monkeypatch.setattr(delivery, "first_time", away)
    driver.apply(Push(client.conn.client_id, {"type": "orders", "n": 1}, "m1"))
    driver.apply(Push(client.conn.client_id, {"type": "account"}))  # not critical: no store needed
    assert driver.engine.held() == 1 and [f["type"] for f in client.received[1:]] == ["account"]
    driver.flush()
    assert driver.engine.held() == 1  # still away: held again
    monkeypatch.setattr(delivery, "first_time", record)
    driver.flush()
    driver.flush()
    assert driver.engine.held() == 0 and [f.get("n") for f in client.received[2:]] == [1]


def test_a_request_while_the_shared_store_is_away_gets_service_unavailable(driver, monkeypatch):
    from refactored.core.errors import BackendUnavailable

    client = driver.connect()

    async def away(key, now):
        raise BackendUnavailable()

    monkeypatch.setattr(driver.engine.app.limiter, "allow", away)
    (reply,) = client.send({"type": "ping", "id": 3})
    assert (reply["type"], reply["error_code"], reply["request_id"]) == ("error", "service_unavailable", 3)
