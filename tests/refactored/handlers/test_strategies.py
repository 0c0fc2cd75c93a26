"""Strategy handlers, including the traversal-safe upsert."""

import pytest

ACTIVATE = {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "btc_usdt"}


def test_listing(admin):
    strategies = admin.send({"type": "get_strategies"})[0]["strategies"]
    assert [s["name"] for s in strategies] == ["MovingAverageCross", "RSIStrategy", "BollingerBands"]


def test_activate_deactivate(admin):
    reply = admin.send({**ACTIVATE, "config": {"period": 7}})[0]
    assert (reply["symbol"], reply["config"]["period"], reply["active_symbols"]) == ("BTC_USDT", 7, ["BTC_USDT"])
    again = admin.send(ACTIVATE)[0]
    assert (again["error_code"], again["error_message"]) == ("activate_strategy_failed", "Strategy already active for symbol")
    status = admin.send({"type": "strategy_status", "strategy_name": "RSIStrategy"})[0]["strategies"]
    assert status == {"RSIStrategy": {"active": True, "active_symbols": ["BTC_USDT"],
                                      "config": {"period": 7, "oversold": 30.0, "overbought": 70.0}}}
    assert admin.send({**ACTIVATE, "type": "deactivate_strategy"})[0]["active_symbols"] == []
    assert admin.send({**ACTIVATE, "type": "deactivate_strategy"})[0]["error_code"] == "deactivate_strategy_failed"


@pytest.mark.parametrize("message,code,text", [
    ({**ACTIVATE, "strategy_name": "Nope"}, "invalid_parameter", "Unknown strategy"),
    ({**ACTIVATE, "config": 1}, "invalid_parameter", "Invalid parameter: config"),
    ({**ACTIVATE, "config": {"period": 0}}, "validation_error", "period must be between 2 and 100"),
    ({"type": "activate_strategy"}, "missing_parameters", "Required: strategy_name, symbol"),
    ({"type": "strategy_status", "strategy_name": 5}, "invalid_parameter", "Unknown strategy"),
    ({"type": "upsert_strategy", "strategy_name": "", "config": {}}, "invalid_parameter", "Invalid parameter: strategy_name"),
    ({"type": "upsert_strategy", "strategy_name": "x", "config": 1}, "invalid_parameter", "Invalid parameter: config"),
])
def test_errors(admin, message, code, text):
    reply = admin.send(message)[0]
    assert (reply["error_code"], reply["error_message"]) == (code, text)


def test_validate(admin):
    ok = admin.send({"type": "validate_strategy_config", "strategy_name": "BollingerBands", "config": {"num_std": 2}})[0]
    assert (ok["valid"], ok["config"]) == (True, {"period": 10, "num_std": 2.0})
    bad = admin.send({"type": "validate_strategy_config", "strategy_name": "BollingerBands", "config": {"x": 1}})[0]
    assert (bad["valid"], bad["errors"], bad["config"]) == (False, ["Unknown parameter: x"], None)


def test_upsert_custom_then_activate(admin, driver):
    reply = admin.send({"type": "upsert_strategy", "strategy_name": "Mine v2", "config": {"k": 1}})[0]
    assert (reply["created"], reply["file"]) == (True, "Mine v2.json")
    assert (driver.engine.app.store.directory / "Mine v2.json").exists()
    assert admin.send({"type": "upsert_strategy", "strategy_name": "Mine v2", "config": {"k": 2}})[0]["created"] is False
    activated = admin.send({**ACTIVATE, "strategy_name": "Mine v2", "config": {"q": 3}})[0]
    assert activated["config"] == {"k": 2, "q": 3}


@pytest.mark.parametrize("name", ["../escaped", "/tmp/escaped", "a/b", "..", "x\x00y"])
def test_upsert_refuses_traversal(admin, driver, name):
    reply = admin.send({"type": "upsert_strategy", "strategy_name": name, "config": {}})[0]
    assert (reply["error_code"], reply["error_message"]) == ("upsert_strategy_failed", "Failed to persist strategy configuration")
    directory = driver.engine.app.store.directory
    assert not (directory.parent / "escaped.json").exists()
    assert name not in driver.engine.app.catalogue.custom


def test_upsert_needs_manage_strategies(trader):
    reply = trader.send({"type": "upsert_strategy", "strategy_name": "x", "config": {}})[0]
    assert reply["error_message"] == "Permission required: manage_strategies"
