"""The in-memory driver behaves like the server, without sockets or sleeps."""

from refactored.core.effects import Spawn
from refactored.driver import MemoryDriver
from refactored.services.trading import Collection, RunState


def test_build_and_exchange():
    driver = MemoryDriver.build()
    client = driver.connect("10.1.1.1")
    assert client.conn.remote_ip == "10.1.1.1"
    assert client.send('{"type": "ping"}')[0]["type"] == "pong"
    client.close()
    assert client.close_code == 1000 and len(driver.engine.app.registry) == 0


def test_jobs_step_in_order(driver):
    app = driver.engine.app
    runs = [Collection(key, "c1", "trader", ["BTC_USDT"], ["RSIStrategy"], f"{n}m", n, app.catalogue.params_for(["RSIStrategy"])) for key, n in (("a", 2), ("b", 1))]
    for run in runs:
        driver.apply(Spawn(run.collection_id, run, 0.1))
    assert list(driver.jobs) == ["a", "b"]
    driver.run_jobs(steps=1)
    assert [r.state for r in runs] == [RunState.RUNNING, RunState.RUNNING]
    driver.run_jobs()
    assert [r.state for r in runs] == [RunState.COMPLETED, RunState.COMPLETED] and not driver.jobs
    assert not app.book.collections  # the driver ran records it was handed, not the book's


def test_the_driver_stays_in_memory_whatever_the_environment_says(monkeypatch):
    from refactored.lifecycle.session_store import SessionStore

    monkeypatch.setenv("WSGM_REDIS_URL", "redis://127.0.0.1:1/0")
    driver = MemoryDriver.build({"redis_url": "redis://127.0.0.1:1/0"})
    assert isinstance(driver.engine.app.reconnects, SessionStore) and driver.connect().received[0]["status"] == "connected"
