"""The shared figures of a cluster for the synchronous ``get_stats()``.

Saved sessions and their queued frames are read when ``get_stats()`` asks (one short,
blocking round trip: the legacy API is synchronous); the cluster's totals are as of the
last upkeep.

Each instance stores its own figures under ``<ns>:figures:<instance>`` (a key that
expires unless refreshed, so a dead instance drops out; the session store reads it to
know whether a connected client's instance still runs) and sums everyone's.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from refactored.backends.redis.link import UNREACHABLE, RedisLink, shielded
from refactored.lifecycle.ports import SharedFigures

FIGURES_TTL_MS = 3_000  # an instance that stops refreshing leaves the totals after this
SUMMED = ("connections", "messages", "subscriptions")


def _add(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """``total`` plus ``part``, number by number (nested dicts added the same way)."""
    for name, value in part.items():
        if isinstance(value, dict):
            total[name] = _add(total.get(name, {}), value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            total[name] = total.get(name, 0) + value
    return total


class ClusterView:
    """A :class:`~refactored.lifecycle.ports.SyncView` on Redis: the shared figures read now,
    the cluster's totals as of the last upkeep."""

    def __init__(self, link: RedisLink) -> None:
        self._link = link
        self._members = link.key("instances")
        self._figures = SharedFigures(0, 0, {"instance_id": link.instance_id, "instances": 0, "totals": {}})

    def figures(self) -> SharedFigures:
        """Saved sessions and queued frames as Redis has them now (the last known figures while
        Redis is away), with the totals of the last upkeep."""
        try:
            persisted, queued = self._read_now()
        except UNREACHABLE:
            return self._figures
        return SharedFigures(persisted, queued, self._figures.cluster)

    def _read_now(self) -> tuple[int, int]:
        with self._link.reader.pipeline(transaction=False) as pipe:
            persisted, waiting = pipe.zcard(self._link.key("saved")).smembers(self._link.key("waiting")).execute()
        with self._link.reader.pipeline(transaction=False) as pipe:
            for client_id in waiting:
                pipe.llen(self._link.key("queue", client_id.decode()))
            return persisted, sum(pipe.execute())

    def expire(self, now: float) -> int:
        """Nothing to do at once: Redis expires sessions by their TTL (upkeep trims the index)."""
        return 0

    @shielded
    async def refresh(self, report: Callable[[SharedFigures], dict[str, Any]]) -> None:
        client, me = self._link.client, self._link.instance_id
        figures = report(self._figures)  # the known figures: no blocking read inside the loop
        mine = {name: figures[name] for name in SUMMED}
        async with client.pipeline(transaction=False) as pipe:
            pipe.set(self._link.alive_key(me), json.dumps(mine), px=FIGURES_TTL_MS).sadd(self._members, me)
            pipe.smembers(self._members).zcard(self._link.key("saved"))
            *_, members, persisted = await pipe.execute()
        running = await self._running(sorted(member.decode() for member in members))
        totals: dict[str, Any] = {}
        for figures_of_one in running:
            _add(totals, figures_of_one)
        queued = await self._queued()
        totals["sessions"] = {"persisted": persisted, "queued_messages": queued}
        cluster = {"instance_id": me, "instances": len(running), "totals": totals}
        self._figures = SharedFigures(persisted, queued, cluster)

    async def _running(self, ids: list[str]) -> list[dict[str, Any]]:
        """The figures of the instances still running; the others leave the member set."""
        found = await self._link.client.mget([self._link.alive_key(member) for member in ids])
        gone = [member for member, text in zip(ids, found) if text is None]
        if gone:
            await self._link.client.srem(self._members, *gone)
        return [json.loads(text) for text in found if text is not None]

    async def _queued(self) -> int:
        waiting = await self._link.client.smembers(self._link.key("waiting"))
        async with self._link.client.pipeline(transaction=False) as pipe:
            for client_id in waiting:
                pipe.llen(self._link.key("queue", client_id.decode()))
            return sum(await pipe.execute())
