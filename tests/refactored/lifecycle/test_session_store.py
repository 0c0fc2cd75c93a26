"""Reconnect tokens: unguessable, HMAC-verified, single use, TTL, bounded."""

import pytest

from refactored.core.errors import TokenRejected
from refactored.lifecycle.session_store import SessionStore, Snapshot


@pytest.fixture
def store():
    return SessionStore(ttl=60, max_sessions=3)


async def saved(store, client_id, now=0):
    token = await store.issue(client_id)
    await store.save(client_id, Snapshot("user", {"orders": ()}), now)
    return token


async def test_token_shape(store):
    token = await store.issue("c1")
    client_id, secret = token.split(":")
    assert client_id == "c1" and len(secret) == 64 and int(secret, 16) >= 0
    assert await store.issue("c2") != token


async def test_redeem_restores_snapshot_once(store):
    token = await saved(store, "c1", 10)
    assert await store.redeem(token, 20) == ("c1", Snapshot("user", {"orders": ()}))
    with pytest.raises(TokenRejected):
        await store.redeem(token, 21)


async def test_live_session_cannot_be_taken_over(store):
    token = await store.issue("c1")
    with pytest.raises(TokenRejected):
        await store.redeem(token, 1)


@pytest.mark.parametrize("forged", ["c1:anything", "c1:" + "0" * 64, "c1", "", None, 5, "c2:x", "c1:x:y"])
async def test_forged_tokens_rejected(store, forged):
    await saved(store, "c1")
    with pytest.raises(TokenRejected):
        await store.redeem(forged, 1)
    assert await store.is_saved("c1", 1)


async def test_token_of_other_server_rejected():
    token = await SessionStore(ttl=60, max_sessions=3).issue("c1")
    other = SessionStore(ttl=60, max_sessions=3)
    await saved(other, "c1")
    with pytest.raises(TokenRejected):
        await other.redeem(token, 1)


async def test_expired(store):
    token = await saved(store, "c1", 10)
    assert await store.is_saved("c1", 69) and not await store.is_saved("c1", 70)
    with pytest.raises(TokenRejected):
        await store.redeem(token, 70)
    assert len(store) == 0


async def test_live_token_does_not_expire(store):
    await store.issue("c1")
    assert await store.purge(10_000) == []


async def test_reissue_replaces(store):
    old = await store.issue("c1")
    new = await store.issue("c1")
    await store.save("c1", Snapshot(), 0)
    with pytest.raises(TokenRejected):
        await store.redeem(old, 1)
    assert (await store.redeem(new, 1))[0] == "c1"


async def test_bounded_saved_sessions_go_before_live_tokens(store):
    live = await store.issue("live")
    await saved(store, "a")
    await saved(store, "b")
    await saved(store, "c")
    assert len(store) == 3 and [cid for cid, _ in await store.saved(1)] == ["b", "c"]
    await store.save("live", Snapshot(), 0)
    assert (await store.redeem(live, 1))[0] == "live"


async def test_bounded_oldest_first(store):
    tokens = [await store.issue(f"c{i}") for i in range(4)]
    for i in range(4):
        await store.save(f"c{i}", Snapshot(), 0)
    assert len(store) == 3 and await store.saved_count() == 3
    with pytest.raises(TokenRejected):
        await store.redeem(tokens[0], 1)
    assert (await store.redeem(tokens[3], 1))[0] == "c3"


async def test_purge_saved_and_discard(store):
    await saved(store, "c1", 0)
    await saved(store, "c2", 30)
    await store.issue("c3")
    assert [cid for cid, _ in await store.saved(61)] == ["c2"]
    assert await store.saved_count() == 2
    assert await store.purge(61) == ["c1"] and len(store) == 2
    await store.discard("c3")
    assert len(store) == 1


async def test_contains(store):
    await store.issue("c1")
    assert "c1" in store and "c2" not in store


async def test_save_unknown_is_ignored(store):
    await store.save("ghost", Snapshot(), 0)
    assert len(store) == 0
