"""Fan-out between instances through Redis pub/sub.

Every instance subscribes to the channel ``<ns>:relay``.  A ``Publish`` made on one
instance is delivered to its own subscribers and published there; every other
instance delivers it to its own.  A ``Push`` for a client connected elsewhere goes the
same way and only the instance holding that client writes it.  The delivered-ids
ledger (shared) keeps each critical frame exactly once per client.

``broadcast_to_subscribers`` counts across the cluster: the receivers acknowledge how
many connections they wrote to on a list, which the caller reads (bounded wait).
While Redis is away the listener reconnects with a capped exponential backoff and
subscribes again, then stores the cluster's secrets again if Redis lost them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import Any, AsyncIterator

from refactored.backends.redis.link import UNREACHABLE, RedisLink, shielded
from refactored.core.effects import Publish, Push
from refactored.lifecycle.ports import Relayed

ACK_WAIT = 1.5  # seconds broadcast_to_subscribers waits for the other instances' counts (< the socket timeout)
ACK_TTL_MS = 10_000
BACKOFF = (0.05, 2.0)  # first and longest wait between reconnections of the listener
POLL = 1.0  # seconds one read of the subscription waits

log = logging.getLogger("refactored.backends.redis")


def _encode(effect: Push | Publish, origin: str, ack: str | None) -> str:
    if isinstance(effect, Push):
        body = {"kind": "push", "client_id": effect.client_id}
    else:
        body = {"kind": "publish", "stream": effect.stream, "exclude": effect.exclude}
    return json.dumps({**body, "from": origin, "frame": effect.frame, "message_id": effect.message_id, "ack": ack})


def _decode(data: bytes) -> tuple[str, Relayed]:
    m = json.loads(data)
    if m["kind"] == "push":
        effect: Push | Publish = Push(m["client_id"], m["frame"], m["message_id"])
    else:
        effect = Publish(m["stream"], m["frame"], m["exclude"], m["message_id"])
    return m["from"], Relayed(effect, m["ack"])


class RedisFanOut:
    """A :class:`~refactored.lifecycle.ports.FanOut` over Redis pub/sub; it owns the link."""

    def __init__(self, link: RedisLink, shared: dict[str, str]) -> None:
        self._link = link
        self._shared = shared
        self._channel = link.key("relay")
        self.listening = False

    @shielded
    async def next_broadcast_id(self) -> int:
        return int(await self._link.client.incr(self._link.key("broadcasts")))

    @shielded
    async def relay(self, effect: Push | Publish) -> None:
        await self._link.client.publish(self._channel, _encode(effect, self._link.instance_id, None))

    @shielded
    async def broadcast(self, effect: Publish) -> int:
        ack_id = secrets.token_hex(8)
        ack, client = self._link.key("ack", ack_id), self._link.client
        heard = await client.publish(self._channel, _encode(effect, self._link.instance_id, ack_id))
        others = heard - (1 if self.listening else 0)
        written, deadline = 0, time.monotonic() + ACK_WAIT
        for _ in range(max(0, others)):
            left = deadline - time.monotonic()
            answer = await client.blpop([ack], timeout=left) if left > 0 else None
            if answer is None:
                log.warning("broadcast: an instance did not report its count in time")
                break
            written += int(answer[1])
        await client.delete(ack)
        return written

    @shielded
    async def acknowledge(self, relayed: Relayed, written: int) -> None:
        if relayed.ack is not None:
            ack = self._link.key("ack", relayed.ack)
            async with self._link.client.pipeline(transaction=True) as pipe:
                await pipe.rpush(ack, written).pexpire(ack, ACK_TTL_MS).execute()

    async def incoming(self) -> AsyncIterator[Relayed]:
        """What the other instances relay; reconnects (capped backoff) while Redis is away."""
        wait = BACKOFF[0]
        while True:
            try:
                async for relayed in self._listen():
                    wait = BACKOFF[0]
                    yield relayed
            except UNREACHABLE as exc:
                self.listening = False
                log.warning("relay: Redis unreachable (%s); retrying in %.2fs", type(exc).__name__, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, BACKOFF[1])

    async def _listen(self) -> AsyncIterator[Relayed]:
        pubsub = self._link.client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            await self._link.reassert(self._shared)
            self.listening = True
            while True:
                message = await pubsub.get_message(timeout=POLL)
                relayed = self._foreign(message)
                if relayed is not None:
                    yield relayed
        finally:
            self.listening = False
            await pubsub.aclose()

    def _foreign(self, message: dict[str, Any] | None) -> Relayed | None:
        """What another instance relayed (None for nothing, this instance's own or garbage)."""
        if message is None:
            return None
        try:
            origin, relayed = _decode(message["data"])
        except (ValueError, KeyError, TypeError):
            log.warning("relay: ignored a message that is not a relayed effect")
            return None
        return None if origin == self._link.instance_id else relayed

    async def close(self) -> None:
        await self._link.close()
