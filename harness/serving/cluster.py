"""The `cluster:N:TARGET` target form: N fresh instances of one target sharing one Redis.

Each run gets its own namespace (a unique key prefix), filled with the Redis URL into
`[tool.harness.cluster] settings` and merged into every instance's settings (a `cmd:` instance
also gets `WSGM_REDIS_URL`), so runs share a Redis without sharing state. The Redis is
`[tool.harness.cluster] redis_url`, else `WSGM_REDIS_URL`, else a redis-server the harness starts
itself and stops when no cluster uses it any more. The instances of an in-process class share
one event recorder, so what any of them publishes is one stream. After the run every instance is
stopped and the namespace's keys are deleted. `ClusterTarget.kill(k)` kills a `cmd:` instance
during the run (SIGKILL to its process group: a crash, for fault tests); its death is then not a
failure of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, AsyncIterator

import redis.asyncio as aioredis

from harness.config import ClusterConfig, Timeouts
from harness.errors import TargetError
from harness.serverside import EventRecorder
from harness.serving.process import group_alive
from harness.serving.redis import RedisServer, answers_ping, redis_binary
from harness.targets import LiveTarget, TargetSpec

URL_VARIABLE = "WSGM_REDIS_URL"
NAMESPACE_PREFIX = "wsgm-run-"


def configured_url(cluster: ClusterConfig) -> str:
    """The Redis the configuration names (`redis_url`, else `WSGM_REDIS_URL`); "" when none."""
    return cluster.redis_url or os.environ.get(URL_VARIABLE, "")


def new_namespace() -> str:
    """A key prefix of one run, unique (and none is the prefix of another: fixed length)."""
    return NAMESPACE_PREFIX + secrets.token_hex(8)


def _filled(value: Any, fills: dict[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, text in fills.items():
            value = value.replace(placeholder, text)
        return value
    if isinstance(value, dict):
        return {key: _filled(item, fills) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, fills) for item in value]
    return value


def instance_settings(settings: dict[str, Any] | None, cluster: ClusterConfig, url: str, namespace: str) -> dict[str, Any]:
    """The recording's settings with the cluster's merged over them (placeholders filled)."""
    shared = _filled(cluster.settings, {"{redis_url}": url, "{namespace}": namespace})
    return {**(settings or {}), **shared}


class OwnRedis:
    """The redis-server the harness starts when no Redis is configured: started by the first
    cluster that needs it, stopped when the last one using it is done (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.server: RedisServer | None = None

    def acquire(self, timeout: float) -> str:
        with self.lock:
            if self.server is None:
                server = RedisServer(timeout=timeout)
                try:
                    server.start()
                except BaseException:
                    server.close()
                    raise
                self.server = server
            self.users += 1
            return self.server.url

    def release(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0 and self.server is not None:
                server, self.server = self.server, None
                server.close()


OWN_REDIS = OwnRedis()


@contextlib.asynccontextmanager
async def cluster_redis(cluster: ClusterConfig, timeouts: Timeouts) -> AsyncIterator[str]:
    """The URL of the Redis a run uses: the configured one (it must answer PING), or the
    harness's own (held for the run)."""
    url = configured_url(cluster)
    if url:
        if not await asyncio.to_thread(answers_ping, url, timeouts.connect):
            raise TargetError(_unreachable(url))
        yield url
        return
    own = await asyncio.to_thread(OWN_REDIS.acquire, timeouts.start)
    try:
        yield own
    finally:
        await asyncio.to_thread(OWN_REDIS.release)


def _unreachable(url: str) -> str:
    return f"cluster: the Redis at {url} does not answer PING ([tool.harness.cluster] redis_url or {URL_VARIABLE})"


def check_cluster(target: TargetSpec) -> None:
    """Fail early (TargetError) when the cluster's Redis is not there: a configured URL that does
    not answer, or no URL and no redis-server to start."""
    url = configured_url(target.cluster)
    if url and not answers_ping(url, 2.0):
        raise TargetError(_unreachable(url))
    if not url and redis_binary() is None:
        raise TargetError(f"cluster: no Redis: set [tool.harness.cluster] redis_url or {URL_VARIABLE}, "
                          "or install redis-server (Debian's package) for the harness to start one")


async def delete_namespace(url: str, namespace: str, timeout: float) -> None:
    """Delete every key under `namespace` (bounded; a Redis gone meanwhile leaves them)."""
    client = aioredis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        async with asyncio.timeout(timeout):
            batch = [key async for key in client.scan_iter(match=f"{namespace}*", count=500)]
            for start in range(0, len(batch), 500):
                await client.unlink(*batch[start:start + 500])
    except (aioredis.RedisError, OSError, TimeoutError):
        pass
    finally:
        await client.aclose()


def _launch(member: TargetSpec, settings: dict[str, Any], timeouts: Timeouts, url: str, recorder: EventRecorder):
    """One instance: an in-process class sharing `recorder`, or a command told the Redis URL."""
    if member.kind == "class":
        from harness.inprocess import serve_class

        return serve_class(member, settings, timeouts, recorder)
    from harness.serving.command import serve_command

    return serve_command(replace(member, env=member.env + ((URL_VARIABLE, url),)), settings, timeouts)


@dataclass(frozen=True)
class ClusterTarget(LiveTarget):
    """A started cluster (its first instance's URL and Python side, every instance in
    `instances`) whose `cmd:` instances can be killed."""

    killed: set[int] = field(default_factory=set)

    async def kill(self, index: int, timeout: float = 5.0) -> None:
        """SIGKILL instance `index`'s process group and wait (bounded) until it is gone;
        TargetError for an in-process instance (a thread cannot be killed)."""
        pid = self.instance(index).pid
        if pid is None:
            raise TargetError(f"cluster: instance {index} runs in this process; only a cmd: instance can be killed")
        self.killed.add(index)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while await asyncio.to_thread(group_alive, pid):
            if time.monotonic() > deadline:
                raise TargetError(f"cluster: instance {index} still runs {timeout:g} s after SIGKILL")
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def _member(launch, index: int, killed: set[int]) -> AsyncIterator[LiveTarget]:
    """One instance's context; a death the cluster caused (`kill`) is not a failure (what the run
    itself raised still is)."""
    failed: BaseException | None = None
    try:
        async with launch as live:
            try:
                yield live
            except BaseException as exc:
                failed = exc
                raise
    except TargetError:
        if index not in killed:
            raise
        if failed is not None:
            raise failed from None


@contextlib.asynccontextmanager
async def serve_cluster(
    target: TargetSpec, settings: dict[str, Any] | None, timeouts: Timeouts
) -> AsyncIterator[LiveTarget]:
    """`target.count` fresh instances of `target.member`, started one after the other, sharing a
    Redis under a namespace of their own; all stopped, and the namespace emptied, afterwards."""
    namespace = new_namespace()
    async with cluster_redis(target.cluster, timeouts) as url:
        try:
            async with contextlib.AsyncExitStack() as stack:
                merged = instance_settings(settings, target.cluster, url, namespace)
                recorder = EventRecorder(asyncio.get_running_loop(), asyncio.Event())
                killed: set[int] = set()
                instances = []
                for index in range(target.count):
                    launch = _launch(target.member, merged, timeouts, url, recorder)
                    instances.append(await stack.enter_async_context(_member(launch, index, killed)))
                first = instances[0]
                yield ClusterTarget(first.url, first.server, recorder.arrived, tuple(instances), killed=killed)
        finally:
            await delete_namespace(url, namespace, timeouts.close)
