"""Fixed-window rate limiting per key."""

from refactored.lifecycle.ratelimit import RateLimiter


async def test_limit_within_window():
    limiter = RateLimiter(limit=3, window=10)
    assert [await limiter.allow("ip", t) for t in (0, 1, 2, 3)] == [True, True, True, False]


async def test_window_is_fixed_from_its_first_event():
    limiter = RateLimiter(limit=2, window=10)
    assert await limiter.allow("ip", 0) and await limiter.allow("ip", 9)
    assert not await limiter.allow("ip", 9.9)
    assert await limiter.allow("ip", 10) and await limiter.allow("ip", 11)
    assert not await limiter.allow("ip", 12)


async def test_keys_are_independent():
    limiter = RateLimiter(limit=1, window=10)
    assert await limiter.allow("a", 0) and await limiter.allow("b", 0)
    assert not await limiter.allow("a", 1)


async def test_forget_idle():
    limiter = RateLimiter(limit=1, window=10)
    await limiter.allow("a", 0)
    await limiter.allow("b", 15)
    assert await limiter.forget_idle(20) == 1
    assert not await limiter.allow("b", 20)
    assert await limiter.forget_idle(30) == 1
