"""The transition table, checked pair by pair."""

import itertools

import pytest

from refactored.core.errors import InvalidTransition
from refactored.core.state import TRANSITIONS, ConnectionState, check_transition

S = ConnectionState
ALLOWED = {
    (S.CONNECTING, S.CONNECTED), (S.CONNECTING, S.ERROR), (S.CONNECTING, S.DISCONNECTED),
    (S.CONNECTED, S.DISCONNECTING), (S.CONNECTED, S.RECONNECTING), (S.CONNECTED, S.ERROR),
    (S.RECONNECTING, S.CONNECTED), (S.RECONNECTING, S.ERROR), (S.RECONNECTING, S.DISCONNECTING),
    (S.DISCONNECTING, S.DISCONNECTED), (S.DISCONNECTING, S.ERROR),
    (S.ERROR, S.DISCONNECTED),
}


@pytest.mark.parametrize("source,target", list(itertools.product(S, S)), ids=lambda s: s.value)
def test_every_pair(source, target):
    if (source, target) in ALLOWED:
        assert check_transition(source, target) is target
    else:
        with pytest.raises(InvalidTransition) as info:
            check_transition(source, target)
        assert info.value.source is source and info.value.target is target
        assert source.value in str(info.value)


def test_table_covers_every_state():
    assert set(TRANSITIONS) == set(S)


def test_disconnected_is_final():
    assert TRANSITIONS[S.DISCONNECTED] == frozenset()


def test_wire_names():
    assert [s.value for s in S] == ["connecting", "connected", "disconnecting", "disconnected", "error", "reconnecting"]
