"""Collection handlers."""

import pytest

START = {"type": "collection_start", "symbols": ["btc_usdt"], "duration": "5m", "strategies": ["RSIStrategy"]}


@pytest.mark.parametrize("change,code,text", [
    ({"symbols": None}, "missing_parameters", "Required: symbols"),
    ({"symbols": []}, "invalid_parameter", "Invalid parameter: symbols"),
    ({"duration": "0m"}, "invalid_parameter", "Invalid parameter: duration"),
    ({"duration": "2d"}, "invalid_parameter", "Invalid parameter: duration"),
    ({"duration": 5}, "invalid_parameter", "Invalid parameter: duration"),
    ({"strategies": []}, "invalid_parameter", "Invalid parameter: strategies"),
    ({"strategies": ["RSIStrategy", "Nope"]}, "invalid_parameter", "Unknown strategy"),
])
def test_start_errors(trader, change, code, text):
    reply = trader.send({**START, **change})[0]
    assert (reply["error_code"], reply["error_message"]) == (code, text)


def test_defaults(trader):
    reply = trader.send({"type": "collection_start", "symbols": ["ETH_USDT"]})[0]
    assert (reply["duration"], reply["bars_total"]) == ("1h", 60)
    assert reply["strategies"] == ["MovingAverageCross", "RSIStrategy", "BollingerBands"]


def test_lifecycle(trader, driver):
    collection_id = trader.send(START)[0]["collection_id"]
    by_id = {"collection_id": collection_id}
    assert trader.send({"type": "results_request", **by_id})[0]["error_code"] == "results_not_ready"
    assert trader.send({"type": "collection_status", **by_id})[0]["state"] == "running"
    driver.run_jobs()
    assert trader.received[-1] == {"type": "collection_update", "timestamp": "T",
                                   "data": {"collection_id": collection_id, "status": "completed", "bars_total": 5}}
    results = trader.send({"type": "results_request", **by_id})[0]
    assert results["status"] == "results" and results["results"]["aggregates"]["total_bars"] == 5
    assert trader.send({"type": "collection_stop", **by_id})[0]["error_message"] == "Collection is not running"


def test_stop(trader, driver):
    collection_id = trader.send(START)[0]["collection_id"]
    assert trader.send({"type": "collection_stop", "collection_id": collection_id})[0]["status"] == "collection_stopped"
    driver.run_jobs()
    assert trader.send({"type": "collection_status", "collection_id": collection_id})[0]["state"] == "stopped"


@pytest.mark.parametrize("message,code", [
    ({"type": "collection_status"}, "missing_parameters"),
    ({"type": "collection_status", "collection_id": 1}, "invalid_parameter"),
    ({"type": "collection_stop", "collection_id": "nope"}, "collection_not_found"),
])
def test_lookup_errors(trader, message, code):
    assert trader.send(message)[0]["error_code"] == code
