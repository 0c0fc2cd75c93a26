"""get_stats and health_check figures."""

from refactored.stats import health_report, stats_report


def test_stats_shape_and_states(driver):
    a = driver.connect()
    a.send({"type": "login", "username": "trader", "password": "trader123"})
    a.send({"type": "subscribe", "stream": "orders"})
    driver.connect().close()
    stats = stats_report(driver.engine.app)
    assert list(stats) == ["server", "connections", "messages", "sessions", "subscriptions"]
    connections = stats["connections"]
    assert connections["by_state"] == {"connecting": 0, "connected": 1, "disconnecting": 0, "disconnected": 1,
                                       "error": 0, "reconnecting": 0}
    assert (connections["total"], connections["active"], connections["healthy"]) == (1, 1, 1)
    assert stats["subscriptions"]["orders"] == 1 and stats["sessions"]["persisted"] == 1
    assert stats["server"]["running"] is False and stats["server"]["uptime_seconds"] == 0.0


def test_health(driver):
    report = health_report(driver.engine.app)
    assert report["status"] == "stopped" and report["checks"]["controller"] is True
    app = driver.engine.app
    app.runtime.running = True
    app.store.directory.mkdir(parents=True)
    assert health_report(app)["status"] == "healthy"


def test_health_degraded_at_capacity(make_driver):
    driver = make_driver(max_connections=1)
    app = driver.engine.app
    app.runtime.running = True
    app.store.directory.mkdir(parents=True)
    driver.connect()
    assert health_report(app)["status"] == "degraded"
