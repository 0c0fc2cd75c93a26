"""The in-memory driver behaves like the server, without sockets or sleeps."""

from refactored.core.effects import Announce, Spawn
from refactored.driver import MemoryDriver


def test_build_and_exchange():
    driver = MemoryDriver.build()
    client = driver.connect("10.1.1.1")
    assert client.conn.remote_ip == "10.1.1.1"
    assert client.send('{"type": "ping"}')[0]["type"] == "pong"
    client.close()
    assert client.close_code == 1000 and len(driver.engine.app.registry) == 0


def test_jobs_step_in_order(driver):
    driver.apply(Spawn("a", iter([[Announce("x", {})], [Announce("y", {})]]), 0.1))
    driver.apply(Spawn("b", iter([[Announce("z", {})]]), 0.1))
    driver.run_jobs(steps=1)
    assert [a.topic for a in driver.announced] == ["x"]
    driver.run_jobs()
    assert [a.topic for a in driver.announced] == ["x", "y", "z"]
