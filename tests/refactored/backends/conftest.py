"""Ports on a real Redis: a fresh link per test on the flushed database of ``redis_server``."""

import pytest

from refactored.backends.redis.link import RedisLink


@pytest.fixture
async def link(redis_server):
    link = RedisLink(redis_server.url, "test")
    yield link
    await link.close()
