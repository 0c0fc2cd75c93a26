"""Health: state, ping window, message window."""

from refactored.core.context import Connection
from refactored.core.health import HealthPolicy
from refactored.core.state import ConnectionState

POLICY = HealthPolicy(ping_window=60, message_window=120)


def connected(at=0.0):
    conn = Connection("c", "ip", at)
    conn.move(ConnectionState.CONNECTED)
    return conn


def test_fresh_connected_is_healthy():
    assert POLICY.is_healthy(connected(), 1.0)


def test_not_connected_is_unhealthy():
    assert not POLICY.is_healthy(Connection("c", "ip", 0.0), 1.0)


def test_stale_ping_is_unhealthy():
    conn = connected()
    conn.touch(100.0)
    assert not POLICY.is_healthy(conn, 100.0)
    conn.last_ping = 90.0
    assert POLICY.is_healthy(conn, 100.0)


def test_silence_is_unhealthy():
    conn = connected()
    conn.last_ping = 150.0
    assert not POLICY.is_healthy(conn, 150.0)
