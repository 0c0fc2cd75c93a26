"""Per-connection context."""

import pytest

from refactored.core.context import Connection, Principal
from refactored.core.errors import InvalidTransition
from refactored.core.state import ConnectionState


def test_new_connection_starts_connecting_and_fresh():
    conn = Connection("c1", "127.0.0.1")
    assert conn.state is ConnectionState.CONNECTING
    assert (conn.user, conn.subscriptions) == (None, {})


def test_move_follows_the_table():
    conn = Connection("c1", "127.0.0.1")
    conn.move(ConnectionState.CONNECTED)
    with pytest.raises(InvalidTransition):
        conn.move(ConnectionState.CONNECTING)
    assert conn.state is ConnectionState.CONNECTED


def test_principal_permissions():
    user = Principal("trader", ("read", "trade"))
    assert user.can("trade") and not user.can("admin")


def test_principal_sees_its_own_records_and_an_admin_sees_all():
    trader, admin = Principal("trader", ("trade",)), Principal("admin", ("admin",))
    assert trader.sees("trader") and not trader.sees("admin")
    assert admin.sees("trader") and admin.sees("admin")
