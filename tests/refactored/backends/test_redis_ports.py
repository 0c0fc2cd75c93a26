"""Each Redis port against a real redis-server: the behaviour of its in-memory twin, shared
through Redis (two links to one Redis stand for two instances), atomic and expiring."""

import asyncio

import pytest

from refactored.backends.redis.delivery import RedisDeliveryQueue
from refactored.backends.redis.limits import RedisLockout, RedisRateLimiter, RedisSpentTokens
from refactored.backends.redis.link import RedisLink
from refactored.backends.redis.sessions import RedisSessionStore
from refactored.core.context import Principal
from refactored.core.errors import ConfigurationError, DuplicateMessageError, QueueOverflowError, TokenRejected
from refactored.lifecycle.ports import Snapshot

KEY = b"k" * 32
SNAPSHOT = Snapshot(Principal("trader", ("read", "trade")), {"orders": ("BTC_USDT",), "account": ()})


@pytest.fixture
async def other(redis_server):
    """A second link to the same Redis and namespace: another instance of the cluster."""
    link = RedisLink(redis_server.url, "test")
    yield link
    await link.close()


async def test_session_saved_on_one_instance_is_redeemed_once_on_another(link, other):
    a, b = RedisSessionStore(link, ttl=60, key=KEY), RedisSessionStore(other, ttl=60, key=KEY)
    token = await a.issue("c1")
    with pytest.raises(TokenRejected, match="no saved session"):
        await b.redeem(token, 0)  # a live client's token cannot take its session over
    await a.save("c1", SNAPSHOT, 0)
    assert await b.is_saved("c1", 0) and await b.saved_count() == 1
    assert [cid for cid, _ in await b.saved(0)] == ["c1"]
    assert await b.redeem(token, 0) == ("c1", SNAPSHOT)
    with pytest.raises(TokenRejected):
        await a.redeem(token, 0)
    assert not await a.knows("c1") and await a.saved_count() == 0


@pytest.mark.parametrize("forged", ["c1:anything", "c1:" + "0" * 64, "c1", "", None, 5, "c2:x", "\ud800:x"])
async def test_forged_tokens_change_nothing(link, forged):
    store = RedisSessionStore(link, ttl=60, key=KEY)
    await store.issue("c1")
    await store.save("c1", Snapshot(), 0)
    with pytest.raises(TokenRejected):
        await store.redeem(forged, 0)
    assert await store.is_saved("c1", 0)


async def test_a_token_under_another_key_is_refused(link):
    token = await RedisSessionStore(link, ttl=60, key=b"x" * 32).issue("c1")
    store = RedisSessionStore(link, ttl=60, key=KEY)
    await store.save("c1", Snapshot(), 0)
    with pytest.raises(TokenRejected, match="does not match"):
        await store.redeem(token, 0)


async def test_reissue_replaces_and_save_of_unknown_is_ignored(link):
    store = RedisSessionStore(link, ttl=60, key=KEY)
    old, new = await store.issue("c1"), await store.issue("c1")
    await store.save("c1", Snapshot(), 0)
    await store.save("ghost", Snapshot(), 0)
    with pytest.raises(TokenRejected):
        await store.redeem(old, 0)
    assert (await store.redeem(new, 0))[0] == "c1" and not await store.knows("ghost")


async def test_saved_sessions_expire_by_redis_ttl_and_purge_trims_the_index(link):
    store = RedisSessionStore(link, ttl=0.2, key=KEY)
    token = await store.issue("c1")
    await store.save("c1", Snapshot(), 0)
    await asyncio.sleep(0.3)
    assert not await store.is_saved("c1", 0) and await store.saved(0) == []
    assert await store.saved_count() == 1 and await store.purge(0) == ["c1"] and await store.saved_count() == 0
    with pytest.raises(TokenRejected):
        await store.redeem(token, 0)


async def test_discard(link):
    store = RedisSessionStore(link, ttl=60, key=KEY)
    await store.issue("c1")
    await store.discard("c1")
    assert not await store.knows("c1")


async def test_queue_shared_dedup_overflow_and_single_take(link, other):
    a = RedisDeliveryQueue(link, limit=2, ttl=60)
    b = RedisDeliveryQueue(other, limit=2, ttl=60)
    await a.put("c1", "m1", {"n": 1}, 0)
    with pytest.raises(DuplicateMessageError):
        await b.put("c1", "m1", {"n": 1}, 0)
    await b.put("c1", 5, {"n": 2}, 0)
    assert await a.pending("c1") == 2 and await a.clients() == ["c1"]
    with pytest.raises(QueueOverflowError, match="dropped m1"):
        await a.put("c1", "5", {"n": 3}, 0)  # 5 and "5" are different ids
    taken = await b.take("c1", 0)
    assert [(q.message_id, q.frame) for q in taken] == [(5, {"n": 2}), ("5", {"n": 3})]
    assert await a.take("c1", 0) == [] and await a.clients() == []
    await a.put("c1", "m1", {"n": 4}, 0)  # the dropped id may be queued again


async def test_ledger_delivers_once_across_instances_and_requeue_resets(link, other):
    a, b = RedisDeliveryQueue(link, limit=10, ttl=60), RedisDeliveryQueue(other, limit=10, ttl=60)
    assert await a.first_time("c1", "m1") and not await b.first_time("c1", "m1")
    await b.requeue("c1", "m1", {"n": 1}, 0)
    assert [q.frame for q in await a.drain("c1", 0)] == [{"n": 1}]
    await a.put("c1", "m1", {"n": 1}, 0)
    assert await b.drain("c1", 0) == []  # already delivered


async def test_ledger_is_bounded_and_frames_expire(link):
    queue = RedisDeliveryQueue(link, limit=10, ttl=0.2, remember=3)
    for i in range(5):
        assert await queue.first_time("c1", f"m{i}")
    assert await queue.first_time("c1", "m0") and not await queue.first_time("c1", "m4")
    await queue.put("c1", "old", {}, 0)
    await asyncio.sleep(0.3)
    assert await queue.take("c1", 0) == []


async def test_forget(link):
    queue = RedisDeliveryQueue(link, limit=10, ttl=60)
    await queue.put("c1", "m1", {}, 0)
    await queue.first_time("c1", "m9")
    await queue.forget("c1")
    assert await queue.pending("c1") == 0 and await queue.first_time("c1", "m9") and await queue.clients() == []


async def test_rate_limit_counts_across_instances_in_a_fixed_window(link, other):
    a = RedisRateLimiter(link, limit=3, window=0.3)
    b = RedisRateLimiter(other, limit=3, window=0.3)
    assert [await a.allow("ip", 0), await b.allow("ip", 0), await a.allow("ip", 0), await b.allow("ip", 0)] == [
        True, True, True, False]
    assert await a.allow("other-ip", 0)
    await asyncio.sleep(0.35)
    assert await b.allow("ip", 0) and await a.forget_idle(0) == 0


async def test_lockout_counts_across_instances_and_expires(link, other):
    a = RedisLockout(link, threshold=3, seconds=0.3)
    b = RedisLockout(other, threshold=3, seconds=0.3)
    await a.failed("trader")
    await b.succeeded("trader")  # a success resets the count
    for lockout in (a, b, a):
        assert not await lockout.locked("trader")
        await lockout.failed("trader")
    assert await b.locked("trader") and await a.locked("trader")
    await asyncio.sleep(0.35)
    assert not await b.locked("trader")
    await a.failed("trader")
    assert not await a.locked("trader")  # the count started again


async def test_keys_from_client_strings_stay_apart(link):
    lockout = RedisLockout(link, threshold=1, seconds=60)
    await lockout.failed("\ud800")  # a lone surrogate: not UTF-8, still a key of its own
    assert await lockout.locked("\ud800") and not await lockout.locked("\\ud800")
    assert await RedisRateLimiter(link, limit=1, window=60).allow("\udfff", 0)


async def test_refresh_token_spent_once_across_instances(link, other):
    assert await RedisSpentTokens(link).spend("jti1", 60)
    assert not await RedisSpentTokens(other).spend("jti1", 60)
    assert await RedisSpentTokens(other).spend("jti2", 60)


async def test_namespaces_share_nothing(redis_server, link):
    stranger = RedisLink(redis_server.url, "elsewhere")
    try:
        await RedisSpentTokens(link).spend("jti", 60)
        assert await RedisSpentTokens(stranger).spend("jti", 60)
        assert link.shared_secrets() != stranger.shared_secrets()
    finally:
        await stranger.close()


def test_secrets_are_shared_by_the_namespace(redis_server):
    first, second = RedisLink(redis_server.url, "ns"), RedisLink(redis_server.url, "ns")
    assert first.shared_secrets() == second.shared_secrets()
    assert set(first.shared_secrets()) == {"jwt", "reconnect"}


def test_unreachable_redis_stops_the_build():
    with pytest.raises(ConfigurationError, match="cannot reach Redis"):
        RedisLink("redis://127.0.0.1:1/0", "ns").shared_secrets()
