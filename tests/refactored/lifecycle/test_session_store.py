"""Reconnect tokens: unguessable, HMAC-verified, single use, TTL, bounded."""

import pytest

from refactored.core.errors import TokenRejected
from refactored.lifecycle.session_store import SessionStore, Snapshot


@pytest.fixture
def store():
    return SessionStore(ttl=60, max_sessions=3)


def saved(store, client_id, now=0):
    token = store.issue(client_id)
    store.save(client_id, Snapshot("user", {"orders": ()}), now)
    return token


def test_token_shape(store):
    token = store.issue("c1")
    client_id, secret = token.split(":")
    assert client_id == "c1" and len(secret) == 64 and int(secret, 16) >= 0
    assert store.issue("c2") != token


def test_redeem_restores_snapshot_once(store):
    token = saved(store, "c1", 10)
    assert store.redeem(token, 20) == ("c1", Snapshot("user", {"orders": ()}))
    with pytest.raises(TokenRejected):
        store.redeem(token, 21)


def test_live_session_cannot_be_taken_over(store):
    token = store.issue("c1")
    with pytest.raises(TokenRejected):
        store.redeem(token, 1)


@pytest.mark.parametrize("forged", ["c1:anything", "c1:" + "0" * 64, "c1", "", None, 5, "c2:x", "c1:x:y"])
def test_forged_tokens_rejected(store, forged):
    saved(store, "c1")
    with pytest.raises(TokenRejected):
        store.redeem(forged, 1)
    assert store.is_saved("c1", 1)


def test_token_of_other_server_rejected():
    token = SessionStore(ttl=60, max_sessions=3).issue("c1")
    other = SessionStore(ttl=60, max_sessions=3)
    saved(other, "c1")
    with pytest.raises(TokenRejected):
        other.redeem(token, 1)


def test_expired(store):
    token = saved(store, "c1", 10)
    assert store.is_saved("c1", 69) and not store.is_saved("c1", 70)
    with pytest.raises(TokenRejected):
        store.redeem(token, 70)
    assert len(store) == 0


def test_live_token_does_not_expire(store):
    store.issue("c1")
    assert store.purge(10_000) == []


def test_reissue_replaces(store):
    old = store.issue("c1")
    new = store.issue("c1")
    store.save("c1", Snapshot(), 0)
    with pytest.raises(TokenRejected):
        store.redeem(old, 1)
    assert store.redeem(new, 1)[0] == "c1"


def test_bounded_saved_sessions_go_before_live_tokens(store):
    live = store.issue("live")
    saved(store, "a")
    saved(store, "b")
    saved(store, "c")
    assert len(store) == 3 and [cid for cid, _ in store.saved(1)] == ["b", "c"]
    store.save("live", Snapshot(), 0)
    assert store.redeem(live, 1)[0] == "live"


def test_bounded_oldest_first(store):
    tokens = [store.issue(f"c{i}") for i in range(4)]
    for i in range(4):
        store.save(f"c{i}", Snapshot(), 0)
    assert len(store) == 3 and store.saved_count() == 3
    with pytest.raises(TokenRejected):
        store.redeem(tokens[0], 1)
    assert store.redeem(tokens[3], 1)[0] == "c3"


def test_purge_saved_and_discard(store):
    saved(store, "c1", 0)
    saved(store, "c2", 30)
    store.issue("c3")
    assert [cid for cid, _ in store.saved(61)] == ["c2"]
    assert store.saved_count() == 2
    assert store.purge(61) == ["c1"] and len(store) == 2
    store.discard("c3")
    assert len(store) == 1


def test_contains(store):
    store.issue("c1")
    assert "c1" in store and "c2" not in store


def test_save_unknown_is_ignored(store):
    store.save("ghost", Snapshot(), 0)
    assert len(store) == 0
