"""The fan-out of a server alone: broadcast ids counted here, nothing relayed or heard."""

from refactored.core.effects import Publish, Push
from refactored.lifecycle.fanout import LocalFanOut
from refactored.lifecycle.ports import Relayed


async def test_ids_count_up_and_nothing_goes_elsewhere():
    fanout = LocalFanOut()
    assert [await fanout.next_broadcast_id() for _ in range(3)] == [1, 2, 3]
    publish = Publish("orders", {"type": "orders", "data": {}})
    assert await fanout.broadcast(publish) == 0
    await fanout.relay(Push("c1", {"type": "x"}))
    await fanout.acknowledge(Relayed(publish, "ack"), 1)
    assert [relayed async for relayed in fanout.incoming()] == []
    await fanout.close()
