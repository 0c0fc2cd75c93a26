"""Reconnect tokens and saved sessions on Redis, shared by every instance of a cluster.

Per client a hash ``<ns>:session:<client_id>`` holds the HMAC of its latest token (under
the cluster's shared key), the instance that holds the connection, its state (``live``
or ``saved``) and its snapshot, kept current while it is connected (:meth:`track`) so
that it outlives an instance that is killed.  The sorted set ``<ns>:saved`` lists the
saved sessions by expiry.  Redis's key TTLs expire them.  A Lua script redeems a token
atomically, so a token works once across the whole cluster; it refuses a live session
unless the instance holding it has stopped refreshing its liveness key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from refactored.backends.redis.codec import dump_snapshot, load_snapshot
from refactored.backends.redis.link import RedisLink, shielded
from refactored.core.context import Connection
from refactored.core.errors import TokenRejected
from refactored.lifecycle.ports import Snapshot

LIVE_TTL = 7 * 86400  # seconds a connected client's token is kept (its instance may die unannounced)
RECHECK = 3600  # seconds between two checks that every connected client's session is still stored

_SAVE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'snapshot', ARGV[1], 'state', 'saved')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(ARGV[2]), ARGV[3])
return 1
"""

_TRACK = """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'snapshot', ARGV[1])
return 1
"""

_RECOVER = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'mac', ARGV[1], 'owner', ARGV[2], 'state', 'live')
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'snapshot', ARGV[3]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

_REDEEM = """
local found = redis.call('HMGET', KEYS[1], 'mac', 'snapshot', 'state', 'owner')
if not found[2] then return {0} end
if found[3] == 'live' and redis.call('EXISTS', ARGV[3] .. found[4]) == 1 then return {0} end
if found[1] ~= ARGV[1] then return {1} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return {2, found[2]}
"""

_PURGE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return expired
"""

_SAVED = """
local t = redis.call('TIME')
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (t[1] * 1000 + math.floor(t[2] / 1000)), '+inf')
"""

_REFUSALS = ("no saved session", "reconnect token does not match")


class RedisSessionStore:
    """A :class:`~refactored.lifecycle.ports.SessionPort` on Redis (``now`` is Redis's clock)."""

    def __init__(self, link: RedisLink, *, ttl: float, key: bytes) -> None:
        self._link = link
        self._ttl_ms = max(1, int(ttl * 1000))
        self._key = key
        self._index = link.key("saved")
        self._save, self._redeem, self._track = link.script(_SAVE), link.script(_REDEEM), link.script(_TRACK)
        self._purge, self._saved = link.script(_PURGE), link.script(_SAVED)
        self._recover = link.script(_RECOVER)
        self._live: dict[str, str] = {}  # client id -> token HMAC, of this instance's connected clients
        self._tracked: dict[str, str] = {}  # client id -> the snapshot last written (this instance's)
        self._owners = link.alive_key("")
        self._marker = link.key("sessions", link.instance_id)  # absent: Redis lost this instance's data

    def _session(self, client_id: str) -> str:
        return self._link.key("session", client_id)

    def _forget(self, client_id: str) -> None:
        """``client_id`` is no longer this instance's connected client."""
        self._live.pop(client_id, None)
        self._tracked.pop(client_id, None)

    def _mac(self, token: str) -> str:
        return hmac.new(self._key, token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    @shielded
    async def issue(self, client_id: str) -> str:
        token = f"{client_id}:{secrets.token_hex(32)}"
        key, mac = self._session(client_id), self._mac(token)
        async with self._link.client.pipeline(transaction=True) as pipe:
            pipe.delete(key).hset(key, mapping={"mac": mac, "owner": self._link.instance_id, "state": "live"})
            await pipe.expire(key, LIVE_TTL).zrem(self._index, client_id).execute()
        self._tracked.pop(client_id, None)
        self._live[client_id] = mac
        return token

    @shielded
    async def recover(self) -> None:
        if not await self._link.client.set(self._marker, 1, nx=True, ex=RECHECK):
            return
        for client_id, mac in list(self._live.items()):
            await self._recover(keys=[self._session(client_id)],
                                args=[mac, self._link.instance_id, self._tracked.get(client_id, ""), LIVE_TTL])

    @shielded
    async def track(self, conn: Connection) -> None:
        text = dump_snapshot(Snapshot(conn.user, conn.subscriptions))
        if self._tracked.get(conn.client_id) != text:
            await self._track(keys=[self._session(conn.client_id)], args=[text, self._link.instance_id])
            self._tracked[conn.client_id] = text

    @shielded
    async def discard(self, client_id: str) -> None:
        self._forget(client_id)
        async with self._link.client.pipeline(transaction=True) as pipe:
            await pipe.delete(self._session(client_id)).zrem(self._index, client_id).execute()

    @shielded
    async def save(self, client_id: str, snapshot: Snapshot, now: float) -> None:
        self._forget(client_id)
        await self._save(keys=[self._session(client_id), self._index],
                         args=[dump_snapshot(snapshot), self._ttl_ms, client_id])

    @shielded
    async def redeem(self, token: Any, now: float) -> tuple[str, Snapshot]:
        if not isinstance(token, str) or ":" not in token:
            raise TokenRejected("malformed reconnect token")
        client_id = token.split(":", 1)[0]
        found = await self._redeem(keys=[self._session(client_id), self._index], args=[self._mac(token), client_id.encode("utf-8", "surrogatepass"), self._owners])
        if found[0] != 2:
            raise TokenRejected(_REFUSALS[found[0]])
        return client_id, load_snapshot(found[1])

    @shielded
    async def is_saved(self, client_id: str, now: float) -> bool:
        return await self._link.client.hget(self._session(client_id), "state") == b"saved"

    @shielded
    async def knows(self, client_id: str) -> bool:
        return bool(await self._link.client.exists(self._session(client_id)))

    @shielded
    async def saved(self, now: float) -> list[tuple[str, Snapshot]]:
        ids = [cid.decode() for cid in await self._saved(keys=[self._index])]
        if not ids:
            return []
        async with self._link.client.pipeline(transaction=False) as pipe:
            for client_id in ids:
                pipe.hget(self._session(client_id), "snapshot")
            found = await pipe.execute()
        return [(cid, load_snapshot(text)) for cid, text in zip(ids, found) if text is not None]

    @shielded
    async def saved_count(self) -> int:
        return int(await self._link.client.zcard(self._index))

    @shielded
    async def purge(self, now: float) -> list[str]:
        return [cid.decode() for cid in await self._purge(keys=[self._index])]
