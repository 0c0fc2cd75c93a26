"""Critical-message queue: dedup, bound, TTL, delivered once."""

import pytest

from refactored.core.errors import DeliveryError, DuplicateMessageError, QueueOverflowError
from refactored.lifecycle.delivery import DeliveryQueue


@pytest.fixture
def queue():
    return DeliveryQueue(limit=2, ttl=10, remember=4)


async def test_drain_once_in_order(queue):
    await queue.put("c1", "m1", {"n": 1}, 0)
    await queue.put("c1", "m2", {"n": 2}, 0)
    assert [q.frame["n"] for q in await queue.drain("c1", 1)] == [1, 2]
    assert await queue.drain("c1", 1) == []


async def test_duplicate_in_queue_rejected(queue):
    await queue.put("c1", "m1", {}, 0)
    with pytest.raises(DuplicateMessageError):
        await queue.put("c1", "m1", {}, 0)
    assert await queue.pending("c1") == 1


async def test_already_delivered_is_not_delivered_again(queue):
    assert await queue.first_time("c1", "m1")
    await queue.put("c1", "m1", {}, 0)
    await queue.put("c1", "m2", {}, 0)
    assert [q.message_id for q in await queue.drain("c1", 0)] == ["m2"]


async def test_overflow_drops_the_oldest_and_says_so(queue):
    await queue.put("c1", "m1", {}, 0)
    await queue.put("c1", "m2", {}, 0)
    with pytest.raises(QueueOverflowError):
        await queue.put("c1", "m3", {}, 0)
    assert [q.message_id for q in await queue.take("c1", 0)] == ["m2", "m3"]
    assert issubclass(QueueOverflowError, DeliveryError)


async def test_ttl(queue):
    await queue.put("c1", "m1", {}, 0)
    await queue.put("c1", "m2", {}, 5)
    assert [q.message_id for q in await queue.drain("c1", 12)] == ["m2"]


async def test_requeue_after_failed_send(queue):
    assert await queue.first_time("c1", "m1") and not await queue.first_time("c1", "m1")
    await queue.requeue("c1", "m1", {"n": 1}, 0)
    assert await queue.pending("c1") == 1 and await queue.clients() == ["c1"]
    assert [q.frame for q in await queue.drain("c1", 0)] == [{"n": 1}]


async def test_ledger_is_bounded(queue):
    for i in range(6):
        await queue.first_time("c1", f"m{i}")
    assert await queue.first_time("c1", "m0")


async def test_forget(queue):
    await queue.put("c1", "m1", {}, 0)
    await queue.first_time("c1", "m9")
    await queue.forget("c1")
    assert await queue.pending("c1") == 0 and await queue.first_time("c1", "m9")


async def test_known(queue):
    await queue.put("c1", "m1", {}, 0)
    await queue.first_time("c2", "m2")
    assert queue.known() == {"c1", "c2"}
