"""Trading session handlers and their background runs."""

import pytest

START = {"type": "session_start", "session_type": "backtest", "config": {"bars": 30},
         "strategy_config": {"MovingAverageCross": ["btc_usdt"], "RSIStrategy": ["BTC_USDT", "ETH_USDT"]}}
ADMIN = {"type": "login", "username": "admin", "password": "admin123"}


@pytest.mark.parametrize("change,code,text", [
    ({"session_type": None}, "missing_parameters", "Required: session_type"),
    ({"session_type": "swing"}, "invalid_parameter", "Invalid parameter: session_type"),
    ({"strategy_config": []}, "invalid_parameter", "Invalid parameter: strategy_config"),
    ({"strategy_config": {"Nope": [], "RSIStrategy": []}}, "validation_error",
     "Unknown strategy: Nope; RSIStrategy: Invalid parameter: symbols"),
    ({"config": []}, "invalid_parameter", "Invalid parameter: config"),
    ({"config": {"bars": 1001}}, "invalid_parameter", "Invalid parameter: config.bars"),
    ({"config": {"bars": None}}, "invalid_parameter", "Invalid parameter: config.bars"),
    ({"config": {"initial_capital": 0}}, "invalid_parameter", "Invalid parameter: config.initial_capital"),
    ({"config": {"quantity": True}}, "invalid_parameter", "Invalid parameter: config.quantity"),
    ({"idempotent": None}, "invalid_parameter", "Invalid parameter: idempotent"),
])
def test_start_errors(trader, change, code, text):
    reply = trader.send({**START, **change})[0]
    assert (reply["error_code"], reply["error_message"]) == (code, text)


def test_viewer_may_not_trade(driver):
    viewer = driver.connect()
    viewer.send({"type": "login", "username": "viewer", "password": "viewer123"})
    assert viewer.send(START)[0]["error_message"] == "Permission required: trade"
    assert viewer.send({**START, "session_type": "live"})[0]["error_message"] == "Permission required: execute_live_trading"


def test_backtest_runs_to_completion(trader, driver):
    trader.send({"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"]})
    started = trader.send(START)
    assert [f["type"] for f in started] == ["response", "session_update"]
    assert started[0]["bars_total"] == 30 and started[0]["symbols"] == ["BTC_USDT", "ETH_USDT"]
    driver.run_jobs()
    kinds = [f["type"] for f in trader.received]
    assert kinds.count("market_data") == 30 and kinds[-1] == "session_update"
    assert trader.received[-1]["data"]["status"] == "completed"
    ids = [f["data"]["message_id"] for f in trader.received if f["type"] in ("orders", "positions")]
    session_id = started[0]["session_id"]
    assert ids == [f"{session_id}:{n}" for n in range(1, len(ids) + 1)]
    status = trader.send({"type": "session_status", "session_id": session_id})[0]["session"]
    assert status["state"] == "completed" and status["results"]["bars_processed"] == 30


def test_stop_and_conflicts(trader, driver):
    session_id = trader.send(START)[0]["session_id"]
    assert trader.send(START)[0]["error_code"] == "session_conflict"
    assert trader.send({**START, "idempotent": True})[0]["already_running"] is True
    stopped = trader.send({"type": "session_stop"})
    assert stopped[0]["status"] == "session_stopped" and stopped[1]["data"]["status"] == "stopped"
    driver.run_jobs()
    assert trader.received[-1]["data"]["status"] == "stopped"
    reply = trader.send({"type": "session_stop", "session_id": session_id})[0]
    assert (reply["error_message"], reply["session_id"]) == ("Session is not running", session_id)
    assert trader.send({"type": "session_stop"})[0]["error_message"] == "No active session"


def test_one_live_session_server_wide(trader, driver):
    live = {**START, "session_type": "live"}
    assert trader.send(live)[0]["bars_total"] is None
    admin = driver.connect()
    admin.send(ADMIN)
    assert admin.send(live)[0]["error_message"] == "Another live session is already active"
    assert admin.send({"type": "session_status", "session_id": trader.received[-2]["session_id"]})[0]["session"]


def test_sessions_are_private(trader, driver):
    session_id = trader.send(START)[0]["session_id"]
    other = driver.connect()
    other.send({"type": "login", "username": "viewer", "password": "viewer123"})
    assert other.send({"type": "session_status", "session_id": session_id})[0]["error_code"] == "session_not_found"
    assert other.send({"type": "session_status"})[0]["session"] is None
    assert other.send({"type": "session_status", "session_id": 5})[0]["error_message"] == "Invalid parameter: session_id"


def test_stopping_server_refuses(trader, driver):
    driver.engine.app.runtime.stopping = True
    assert trader.send(START)[0]["error_code"] == "service_unavailable"
