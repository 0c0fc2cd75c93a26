"""Fixtures shared by every test directory: a real Redis (Debian's `redis-server`)."""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from harness.serving.redis import RedisServer, redis_binary

MISSING_REDIS = "redis-server not installed (Debian package redis-server; .ci/run installs it)"


@pytest.fixture(scope="session")
def redis_process() -> Iterator[RedisServer]:
    """One `redis-server` for the session (per xdist worker), on a free loopback port, off the
    disk. Skips when no binary exists, except in CI, where it must."""
    if redis_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"redis-server is required in CI: {MISSING_REDIS}")
        pytest.skip(MISSING_REDIS)
    server = RedisServer()
    with server:
        yield server


@pytest.fixture
def redis_server(redis_process: RedisServer) -> RedisServer:
    """The session's Redis, running (started again if a test stopped it) and flushed (FLUSHALL)
    before the test: `.url` (`redis://127.0.0.1:P/0`), `.port`, `.restart()`, `.stop()`."""
    redis_process.start()
    redis_process.flush()
    return redis_process
