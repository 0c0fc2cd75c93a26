"""Strategy catalogue, activation, validation and upsert (file I/O)."""

import json
import os

import pytest

from legacy_support import assert_error


async def test_get_strategies(trader, client):
    assert_error(await client.request({"type": "get_strategies"}), "authentication_required")
    r = await trader.request({"type": "get_strategies"})
    names = [s["name"] for s in r["strategies"]]
    assert names == ["MovingAverageCross", "RSIStrategy", "BollingerBands"]
    ma = r["strategies"][0]
    assert list(ma) == ["name", "description", "config_schema", "config", "active_symbols", "custom"]
    assert ma["config"] == {"short_window": 5, "long_window": 10}
    assert ma["config_schema"]["short_window"] == {"type": "integer", "min": 2, "max": 50, "default": 5}
    assert r["strategies"][1]["config"] == {"period": 14, "oversold": 30.0, "overbought": 70.0}
    assert r["strategies"][2]["config"] == {"period": 10, "num_std": 1.5}


async def test_activate_deactivate(trader):
    r = await trader.request({"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "eth_usdt",
                              "config": {"period": 7}})
    assert list(r) == ["type", "status", "strategy_name", "symbol", "config", "active_symbols", "timestamp", "request_id"]
    assert r["config"] == {"period": 7, "oversold": 30.0, "overbought": 70.0}
    assert r["symbol"] == "ETH_USDT" and r["active_symbols"] == ["ETH_USDT"]
    again = await trader.request({"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "ETH_USDT"})
    assert_error(again, "activate_strategy_failed", "Strategy already active for symbol")
    st = await trader.request({"type": "strategy_status", "strategy_name": "RSIStrategy"})
    assert st["strategies"] == {"RSIStrategy": {"active": True, "active_symbols": ["ETH_USDT"],
                                                "config": {"period": 7, "oversold": 30.0, "overbought": 70.0}}}
    allst = await trader.request({"type": "strategy_status"})
    assert list(allst["strategies"]) == ["MovingAverageCross", "RSIStrategy", "BollingerBands"]
    d = await trader.request({"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "ETH_USDT"})
    assert list(d) == ["type", "status", "strategy_name", "symbol", "active_symbols", "timestamp", "request_id"]
    assert d["active_symbols"] == []
    d = await trader.request({"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "ETH_USDT"})
    assert_error(d, "deactivate_strategy_failed", "Strategy not active for symbol")


@pytest.mark.parametrize("t", ["activate_strategy", "deactivate_strategy"])
async def test_activate_errors(server, make_client, t):
    anon = await make_client(server)
    assert_error(await anon.request({"type": t}), "authentication_required")
    viewer = await make_client(server)
    await viewer.login("viewer")
    assert_error(await viewer.request({"type": t}), "insufficient_permissions", "Permission required: trade")
    c = await make_client(server)
    await c.login("trader")
    cases = [
        ({}, "missing_parameters", "Required: strategy_name, symbol"),
        ({"strategy_name": "RSIStrategy"}, "missing_parameters", "Required: symbol"),
        ({"strategy_name": "Nope", "symbol": "BTC_USDT"}, "invalid_parameter", "Unknown strategy"),
        ({"strategy_name": 5, "symbol": "BTC_USDT"}, "invalid_parameter", "Unknown strategy"),
        ({"strategy_name": "RSIStrategy", "symbol": ["BTC_USDT"]}, "invalid_parameter", "Invalid symbol format"),
        ({"strategy_name": "RSIStrategy", "symbol": "LTC_USDT"}, "invalid_parameter", "Symbol not allowed: LTC_USDT"),
    ]
    if t == "activate_strategy":
        cases += [
            ({"strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "config": [1]}, "invalid_parameter", "Invalid parameter: config"),
            ({"strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "config": {"period": 1, "x": 1}}, "validation_error",
             "Unknown parameter: x; period must be between 2 and 100"),
        ]
    for msg, code, text in cases:
        assert_error(await c.request(dict(msg, type=t)), code, text)


@pytest.mark.parametrize("config,valid,errors", [
    ({}, True, []),
    ({"short_window": 3}, True, []),
    ({"short_window": 20, "long_window": 10}, False, ["short_window must be less than long_window"]),
    ({"short_window": 1}, False, ["short_window must be between 2 and 50"]),
    ({"short_window": 2.0}, False, ["short_window must be an integer"]),
    ({"short_window": True}, False, ["short_window must be an integer"]),
    ({"long_window": "9"}, False, ["long_window must be an integer"]),
    ({"zeta": 1, "alpha": 2, "long_window": 500}, False,
     ["Unknown parameter: zeta", "Unknown parameter: alpha", "long_window must be between 3 and 200"]),
])
async def test_validate_ma(trader, config, valid, errors):
    r = await trader.request({"type": "validate_strategy_config", "strategy_name": "MovingAverageCross", "config": config})
    assert list(r) == ["type", "status", "strategy_name", "valid", "errors", "config", "timestamp", "request_id"]
    assert r["valid"] is valid and r["errors"] == errors
    if valid:
        assert r["config"] == dict({"short_window": 5, "long_window": 10}, **config)
    else:
        assert r["config"] is None


async def test_validate_numbers(trader):
    r = await trader.request({"type": "validate_strategy_config", "strategy_name": "RSIStrategy",
                              "config": {"oversold": 20, "overbought": 80}})
    assert r["config"] == {"period": 14, "oversold": 20.0, "overbought": 80.0}
    r = await trader.request({"type": "validate_strategy_config", "strategy_name": "RSIStrategy",
                              "config": {"oversold": 90}})
    assert r["errors"] == ["oversold must be less than overbought"]
    r = await trader.request({"type": "validate_strategy_config", "strategy_name": "RSIStrategy",
                              "config": {"oversold": -1, "overbought": "x"}})
    assert r["errors"] == ["oversold must be between 0.0 and 100.0", "overbought must be a number"]
    r = await trader.request({"type": "validate_strategy_config", "strategy_name": "BollingerBands",
                              "config": {"num_std": 0.05}})
    assert r["errors"] == ["num_std must be between 0.1 and 10.0"]


async def test_validate_errors(trader):
    assert_error(await trader.request({"type": "validate_strategy_config"}), "missing_parameters",
                 "Required: strategy_name, config")
    assert_error(await trader.request({"type": "validate_strategy_config", "strategy_name": "X", "config": {}}),
                 "invalid_parameter", "Unknown strategy")
    assert_error(await trader.request({"type": "validate_strategy_config", "strategy_name": "RSIStrategy", "config": 3}),
                 "invalid_parameter", "Invalid parameter: config")
    assert_error(await trader.request({"type": "strategy_status", "strategy_name": "X"}),
                 "invalid_parameter", "Unknown strategy")


async def test_upsert_writes_file(server, admin):
    r = await admin.request({"type": "upsert_strategy", "strategy_name": "RSIStrategy", "config": {"period": 9}})
    assert list(r) == ["type", "status", "strategy_name", "created", "config", "file", "timestamp", "request_id"]
    assert r["created"] is False and r["config"] == {"period": 9, "oversold": 30.0, "overbought": 70.0}
    path = os.path.join(server.strategies_dir, "RSIStrategy.json")
    with open(path) as f:
        assert json.load(f) == {"name": "RSIStrategy", "config": r["config"]}
    r = await admin.request({"type": "upsert_strategy", "strategy_name": "MyStrategy", "config": {"alpha": [1, 2]}})
    assert r["created"] is True and r["file"] == "MyStrategy.json"
    r = await admin.request({"type": "upsert_strategy", "strategy_name": "MyStrategy", "config": {"alpha": 3}})
    assert r["created"] is False
    strategies = (await admin.request({"type": "get_strategies"}))["strategies"]
    assert strategies[-1] == {"name": "MyStrategy", "description": "Custom strategy", "config_schema": {},
                              "config": {"alpha": 3}, "active_symbols": [], "custom": True}
    act = await admin.request({"type": "activate_strategy", "strategy_name": "MyStrategy", "symbol": "BTC_USDT",
                               "config": {"beta": 1}})
    assert act["config"] == {"alpha": 3, "beta": 1}
    v = await admin.request({"type": "validate_strategy_config", "strategy_name": "MyStrategy", "config": {"z": 1}})
    assert v["valid"] is True and v["config"] == {"z": 1}
    s = await admin.request({"type": "session_start", "session_type": "backtest",
                             "strategy_config": {"MyStrategy": ["BTC_USDT"]}, "config": {"bars": 5}})
    assert s["status"] == "session_started"


async def test_upsert_path_traversal_is_legacy_behaviour(make_server, make_client, tmp_path):
    sdir = tmp_path / "strategies"
    server = await make_server({"strategies_dir": str(sdir)})
    c = await make_client(server)
    await c.login("admin")
    r = await c.request({"type": "upsert_strategy", "strategy_name": "../escaped", "config": {"a": 1}})
    assert r["status"] == "strategy_upserted"
    assert (tmp_path / "escaped.json").exists()


async def test_upsert_errors(server, make_client):
    t = await make_client(server)
    await t.login("trader")
    assert_error(await t.request({"type": "upsert_strategy"}), "insufficient_permissions",
                 "Permission required: manage_strategies")
    a = await make_client(server)
    await a.login("admin")
    cases = [
        ({}, "missing_parameters", "Required: strategy_name, config"),
        ({"strategy_name": "X"}, "missing_parameters", "Required: config"),
        ({"strategy_name": 5, "config": {}}, "invalid_parameter", "Invalid parameter: strategy_name"),
        ({"strategy_name": "", "config": {}}, "invalid_parameter", "Invalid parameter: strategy_name"),
        ({"strategy_name": "X", "config": "y"}, "invalid_parameter", "Invalid parameter: config"),
        ({"strategy_name": "MovingAverageCross", "config": {"short_window": 0}}, "validation_error",
         "short_window must be between 2 and 50"),
        ({"strategy_name": "bad\u0000name", "config": {}}, "upsert_strategy_failed",
         "Failed to persist strategy configuration"),
        ({"strategy_name": "n" * 5000, "config": {}}, "upsert_strategy_failed",
         "Failed to persist strategy configuration"),
        ({"strategy_name": "no/such/dir/x", "config": {}}, "upsert_strategy_failed",
         "Failed to persist strategy configuration"),
        ({"strategy_name": "\ud800", "config": {}}, "upsert_strategy_failed",
         "Failed to persist strategy configuration"),
    ]
    for msg, code, text in cases:
        assert_error(await a.request(dict(msg, type="upsert_strategy")), code, text)
    names = [s["name"] for s in (await a.request({"type": "get_strategies"}))["strategies"]]
    assert names == ["MovingAverageCross", "RSIStrategy", "BollingerBands"]
