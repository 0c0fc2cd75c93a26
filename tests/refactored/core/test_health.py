"""Health: a connection is healthy while it is connected, however long it has been silent."""

import pytest

from refactored.core.context import Connection
from refactored.core.health import is_healthy
from refactored.core.state import ConnectionState


def test_only_connected_is_healthy():
    conn = Connection("c", "ip")
    assert not is_healthy(conn)
    conn.move(ConnectionState.CONNECTED)
    assert is_healthy(conn)


@pytest.mark.parametrize("state", [s for s in ConnectionState if s is not ConnectionState.CONNECTED])
def test_every_other_state_is_unhealthy(state):
    conn = Connection("c", "ip")
    conn.state = state
    assert not is_healthy(conn)
