"""Registry: handshake-complete connections only, stats by state, stream index."""

import pytest

from refactored.core.context import Connection
from refactored.core.errors import InvalidTransition
from refactored.core.state import ConnectionState
from refactored.lifecycle.registry import ConnectionRegistry


def connected(client_id):
    conn = Connection(client_id, "127.0.0.1")
    conn.move(ConnectionState.CONNECTED)
    return conn


def test_no_ghosts_before_handshake():
    registry = ConnectionRegistry()
    with pytest.raises(InvalidTransition):
        registry.add(Connection("c1", "ip"))
    assert len(registry) == 0
    assert set(registry.by_state().values()) == {0}


def test_by_state_lists_every_state():
    registry = ConnectionRegistry()
    a, b = connected("a"), connected("b")
    registry.add(a)
    registry.add(b)
    b.move(ConnectionState.RECONNECTING)
    assert registry.by_state() == {"connecting": 0, "connected": 1, "disconnecting": 0, "disconnected": 0, "error": 0, "reconnecting": 1}


def test_subscribers_index():
    registry = ConnectionRegistry()
    a, b = connected("a"), connected("b")
    registry.add(a)
    registry.add(b)
    registry.subscribe(a, "orders", ())
    registry.subscribe(b, "orders", ("BTC_USDT",))
    assert registry.subscribers("orders") == [a, b]
    registry.unsubscribe(a, "orders")
    assert registry.subscribers("orders") == [b] and "orders" not in a.subscriptions
    registry.remove(b)
    assert registry.subscribers("orders") == [] and registry.get("b") is None


def test_add_restores_subscriptions():
    registry = ConnectionRegistry()
    a = connected("a")
    a.subscriptions["sessions"] = ()
    registry.add(a)
    assert registry.subscribers("sessions") == [a]


def test_remove_only_the_registered_object():
    registry = ConnectionRegistry()
    a, impostor = connected("a"), connected("a")
    registry.add(a)
    registry.remove(impostor)
    assert registry.get("a") is a
    assert list(registry) == [a]


def test_adopt_renames_and_reindexes():
    registry = ConnectionRegistry()
    conn = connected("new")
    registry.add(conn)
    registry.subscribe(conn, "market_data", ())
    registry.adopt(conn, "old", "user", {"orders": ("BTC_USDT",)})
    assert registry.get("new") is None and registry.get("old") is conn
    assert (conn.user, conn.subscriptions) == ("user", {"orders": ("BTC_USDT",)})
    assert registry.subscribers("orders") == [conn] and registry.subscribers("market_data") == []
    assert conn.state is ConnectionState.CONNECTED
