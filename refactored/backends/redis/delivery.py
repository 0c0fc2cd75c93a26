"""Critical frames and the delivered-ids ledger on Redis, shared by every instance.

Per client: the list ``<ns>:queue:<client_id>`` (each item ``<expiry ms> <id length> <id><json>``), the
hash ``<ns>:queued:<client_id>`` of queued ids (dedup), and the sorted set
``<ns>:seen:<client_id>``, the ledger of delivered ids (bounded, oldest out first).  The
set ``<ns>:waiting`` names the clients with frames waiting.  Lua scripts make each
operation atomic: an id is queued once, a queue is taken once, a frame delivered once,
whichever instance asks.  Every key expires with the session TTL.
"""

from __future__ import annotations

import json
from typing import Any

from refactored.backends.redis.codec import message_key
from refactored.backends.redis.link import RedisLink, shielded
from refactored.core.errors import DuplicateMessageError, QueueOverflowError
from refactored.lifecycle.ports import Queued, SessionPort

_PUT = """
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {1} end
local t = redis.call('TIME')
local expiry = t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(ARGV[4])
redis.call('RPUSH', KEYS[1], expiry .. ' ' .. #ARGV[1] .. ' ' .. ARGV[1] .. ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], 1)
redis.call('SADD', KEYS[3], ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if redis.call('LLEN', KEYS[1]) > tonumber(ARGV[3]) then
  local oldest = redis.call('LPOP', KEYS[1])
  local first = string.find(oldest, ' ', 1, true)
  local second = string.find(oldest, ' ', first + 1, true)
  local size = tonumber(string.sub(oldest, first + 1, second - 1))
  redis.call('HDEL', KEYS[2], string.sub(oldest, second + 1, second + size))
  return {2, oldest}
end
return {0}
"""

_TAKE = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
local t = redis.call('TIME')
return {t[1] * 1000 + math.floor(t[2] / 1000), items}
"""

_FIRST = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], n, ARGV[1])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
"""


def _item(text: bytes) -> tuple[int, Any, dict[str, Any]]:
    """``<expiry ms> <id length> <id><json [id, frame]>`` -> expiry, id, frame."""
    expiry, size, rest = text.split(b" ", 2)
    message_id, frame = json.loads(rest[int(size):])
    return int(expiry), message_id, frame


class RedisDeliveryQueue:
    """A :class:`~refactored.lifecycle.ports.DeliveryPort` on Redis (``now`` is Redis's clock)."""

    def __init__(self, link: RedisLink, *, limit: int, ttl: float, remember: int = 10_000) -> None:
        self._link = link
        self._limit = limit
        self._ttl_ms = max(1, int(ttl * 1000))
        self._remember = remember
        self._waiting = link.key("waiting")
        self._put, self._take, self._first = link.script(_PUT), link.script(_TAKE), link.script(_FIRST)

    def _keys(self, client_id: str) -> list[str]:
        return [self._link.key("queue", client_id), self._link.key("queued", client_id), self._waiting]

    def _ledger(self, client_id: str) -> list[str]:
        return [self._link.key("seen", client_id), self._link.key("seen", client_id, "n")]

    @shielded
    async def put(self, client_id: str, message_id: Any, frame: dict[str, Any], now: float) -> None:
        body = json.dumps([message_id, frame])
        outcome = await self._put(keys=self._keys(client_id),
                                  args=[message_key(message_id), body, self._limit, self._ttl_ms, client_id])
        if outcome[0] == 1:
            raise DuplicateMessageError(message_id)
        if outcome[0] == 2:
            raise QueueOverflowError(f"{client_id}: dropped {_item(outcome[1])[1]}")

    @shielded
    async def requeue(self, client_id: str, message_id: Any, frame: dict[str, Any], now: float) -> None:
        await self._link.client.zrem(self._ledger(client_id)[0], message_key(message_id))
        await self.put(client_id, message_id, frame, now)

    @shielded
    async def first_time(self, client_id: str, message_id: Any) -> bool:
        return bool(await self._first(keys=self._ledger(client_id),
                                      args=[message_key(message_id), self._remember, self._ttl_ms]))

    @shielded
    async def take(self, client_id: str, now: float) -> list[Queued]:
        clock, items = await self._take(keys=self._keys(client_id), args=[client_id])
        kept = [_item(text) for text in items]
        return [Queued(message_id, frame, expiry / 1000) for expiry, message_id, frame in kept if expiry > clock]

    async def drain(self, client_id: str, now: float) -> list[Queued]:
        return [item for item in await self.take(client_id, now) if await self.first_time(client_id, item.message_id)]

    @shielded
    async def pending(self, client_id: str) -> int:
        return int(await self._link.client.llen(self._keys(client_id)[0]))

    @shielded
    async def clients(self) -> list[str]:
        return sorted(cid.decode() for cid in await self._link.client.smembers(self._waiting))

    @shielded
    async def forget(self, client_id: str) -> None:
        queue, queued, waiting = self._keys(client_id)
        async with self._link.client.pipeline(transaction=True) as pipe:
            await pipe.delete(queue, queued, *self._ledger(client_id)).srem(waiting, client_id).execute()

    async def retain(self, sessions: SessionPort) -> None:
        """Nothing to do: every key of a client expires with its session's TTL."""
