"""Shared fixtures for the refactored package's tests: an in-memory driver on a fake clock."""

import pytest

from refactored.core.clock import Clock
from refactored.driver import MemoryDriver

LOGIN = {"type": "login", "username": "trader", "password": "trader123"}
ADMIN = {"type": "login", "username": "admin", "password": "admin123"}
VIEWER = {"type": "login", "username": "viewer", "password": "viewer123"}


class FakeTime:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def clock(self):
        return Clock(monotonic=lambda: self.now, iso=lambda: "T", wall=lambda: 1.7e9 + self.now)


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def make_driver(fake_time, tmp_path):
    def make(settings=None, **kwargs):
        merged = {"strategies_dir": str(tmp_path / "strategies"), **(settings or {})}
        return MemoryDriver.build(merged, clock=fake_time.clock(), **kwargs)
    return make


@pytest.fixture
def driver(make_driver):
    return make_driver()


@pytest.fixture
def trader(driver):
    client = driver.connect()
    client.send(LOGIN)
    return client


@pytest.fixture
def admin(driver):
    client = driver.connect()
    client.send(ADMIN)
    return client
