"""Fixed-window rate limiting per key."""

from refactored.lifecycle.ratelimit import RateLimiter


def test_limit_within_window():
    limiter = RateLimiter(limit=3, window=10)
    assert [limiter.allow("ip", t) for t in (0, 1, 2, 3)] == [True, True, True, False]


def test_window_is_fixed_from_its_first_event():
    limiter = RateLimiter(limit=2, window=10)
    assert limiter.allow("ip", 0) and limiter.allow("ip", 9)
    assert not limiter.allow("ip", 9.9)
    assert limiter.allow("ip", 10) and limiter.allow("ip", 11)
    assert not limiter.allow("ip", 12)


def test_keys_are_independent():
    limiter = RateLimiter(limit=1, window=10)
    assert limiter.allow("a", 0) and limiter.allow("b", 0)
    assert not limiter.allow("a", 1)


def test_forget_idle():
    limiter = RateLimiter(limit=1, window=10)
    limiter.allow("a", 0)
    limiter.allow("b", 15)
    assert limiter.forget_idle(20) == 1
    assert not limiter.allow("b", 20)
    assert limiter.forget_idle(30) == 1
