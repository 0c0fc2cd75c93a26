"""Critical-message queue: dedup, bound, TTL, delivered once."""

import pytest

from refactored.core.errors import DeliveryError, DuplicateMessageError, QueueOverflowError
from refactored.lifecycle.delivery import DeliveryQueue


@pytest.fixture
def queue():
    return DeliveryQueue(limit=2, ttl=10, remember=4)


def test_drain_once_in_order(queue):
    queue.put("c1", "m1", {"n": 1}, 0)
    queue.put("c1", "m2", {"n": 2}, 0)
    assert [q.frame["n"] for q in queue.drain("c1", 1)] == [1, 2]
    assert queue.drain("c1", 1) == []


def test_duplicate_in_queue_rejected(queue):
    queue.put("c1", "m1", {}, 0)
    with pytest.raises(DuplicateMessageError):
        queue.put("c1", "m1", {}, 0)
    assert queue.pending("c1") == 1


def test_already_delivered_is_not_delivered_again(queue):
    assert queue.first_time("c1", "m1")
    queue.put("c1", "m1", {}, 0)
    queue.put("c1", "m2", {}, 0)
    assert [q.message_id for q in queue.drain("c1", 0)] == ["m2"]


def test_overflow_drops_the_oldest_and_says_so(queue):
    queue.put("c1", "m1", {}, 0)
    queue.put("c1", "m2", {}, 0)
    with pytest.raises(QueueOverflowError):
        queue.put("c1", "m3", {}, 0)
    assert [q.message_id for q in queue.take("c1", 0)] == ["m2", "m3"]
    assert issubclass(QueueOverflowError, DeliveryError)


def test_ttl(queue):
    queue.put("c1", "m1", {}, 0)
    queue.put("c1", "m2", {}, 5)
    assert [q.message_id for q in queue.drain("c1", 12)] == ["m2"]


def test_requeue_after_failed_send(queue):
    assert queue.first_time("c1", "m1") and not queue.first_time("c1", "m1")
    queue.requeue("c1", "m1", {"n": 1}, 0)
    assert queue.pending("c1") == 1 and queue.clients() == ["c1"]
    assert [q.frame for q in queue.drain("c1", 0)] == [{"n": 1}]


def test_ledger_is_bounded(queue):
    for i in range(6):
        queue.first_time("c1", f"m{i}")
    assert queue.first_time("c1", "m0")


def test_forget(queue):
    queue.put("c1", "m1", {}, 0)
    queue.first_time("c1", "m9")
    queue.forget("c1")
    assert queue.pending("c1") == 0 and queue.first_time("c1", "m9")


def test_known(queue):
    queue.put("c1", "m1", {}, 0)
    queue.first_time("c2", "m2")
    assert queue.known() == {"c1", "c2"}
