"""Reconnection, the one place both the header and the message go through."""

import pytest

from refactored.core.context import Connection
from refactored.core.errors import TokenRejected
from refactored.core.immediate import complete
from refactored.core.state import ConnectionState
from refactored.reconnect import restored_fields

from tests.refactored.conftest import LOGIN


def _fresh(app):
    conn = Connection("client_new", "127.0.0.1")
    conn.move(ConnectionState.CONNECTED)
    app.registry.add(conn)
    complete(app.reconnects.issue(conn.client_id))
    return conn


def test_restore_adopts_the_saved_session_and_hands_back_its_queue(driver):
    app = driver.engine.app
    first = driver.connect()
    first.send(LOGIN)
    first.send({"type": "subscribe", "stream": "orders", "symbols": ["btc_usdt"]})
    token, old_id = first.received[0]["reconnect_token"], first.conn.client_id
    first.close()
    complete(app.delivery.put(old_id, "m1", {"type": "orders"}, 0.0))
    conn = _fresh(app)
    queued = complete(app.reconnection.restore(conn, token, 1.0))
    assert conn.client_id == old_id and app.registry.get(old_id) is conn and "client_new" not in app.reconnects
    assert [q.message_id for q in queued] == ["m1"] and app.counters.reconnections == 1
    assert restored_fields(conn, len(queued)) == {"authenticated": True, "username": "trader",
                                                  "subscriptions": {"orders": ["BTC_USDT"]}, "queued_messages": 1}


def test_a_token_works_once_and_a_bad_one_changes_nothing(driver):
    app = driver.engine.app
    first = driver.connect()
    token = first.received[0]["reconnect_token"]
    first.close()
    conn = _fresh(app)
    with pytest.raises(TokenRejected):
        complete(app.reconnection.restore(conn, token + "0", 1.0))
    assert conn.client_id == "client_new" and app.counters.reconnections == 0
    complete(app.reconnection.restore(conn, token, 1.0))
    with pytest.raises(TokenRejected):
        complete(app.reconnection.restore(_fresh(app), token, 1.0))
    assert restored_fields(conn, 0) == {"authenticated": False, "username": None, "subscriptions": {},
                                        "queued_messages": 0}
