"""Strategy management: catalogue, activation, status, validation and upsert."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import ask, ask_all, login, requests  # noqa: E402
from harness.scenario import scenario  # noqa: E402

requests("get_strategies", "get_strategies: authentication_required, then the catalogue with schemas and configs",
         ["strategies"], [
    {"type": "get_strategies", "id": 1},
    {"type": "login", "username": "viewer", "password": "viewer123"},
    {"type": "get_strategies", "id": 2},
], user=None)

requests("activate_and_deactivate", "activate (with and without config), already active, strategy_status, "
         "get_strategies with active symbols, deactivate, not active", ["strategies"], [
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "eth_usdt", "config": {"period": 7}, "id": 1},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "id": 2},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "ETH_USDT", "config": {"period": 9}, "id": 3},
    {"type": "activate_strategy", "strategy_name": "MovingAverageCross", "symbol": "SOL_USDT",
     "config": {"short_window": 3, "long_window": 30}, "id": 4},
    {"type": "activate_strategy", "strategy_name": "BollingerBands", "symbol": "XRP_USDT",
     "config": {"num_std": 2}, "id": 5},
    {"type": "strategy_status", "strategy_name": "RSIStrategy", "id": 6},
    {"type": "strategy_status", "id": 7},
    {"type": "get_strategies", "id": 8},
    {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "eth_usdt", "id": 9},
    {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "ETH_USDT", "id": 10},
    {"type": "deactivate_strategy", "strategy_name": "BollingerBands", "symbol": "BTC_USDT", "id": 11},
    {"type": "strategy_status", "strategy_name": "RSIStrategy", "id": 12},
])

requests("activate_strategy_errors", "activate_strategy errors: auth, permission, missing, unknown strategy, "
         "bad symbol, bad config, validation_error (merged with the current config)", ["strategies", "errors"], [
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "id": 1},
    {"type": "login", "username": "viewer", "password": "viewer123"},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "id": 2},
    {"type": "login", "username": "trader", "password": "trader123"},
    {"type": "activate_strategy", "id": 3},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "id": 4},
    {"type": "activate_strategy", "symbol": "BTC_USDT", "strategy_name": None, "id": 5},
    {"type": "activate_strategy", "strategy_name": "Martingale", "symbol": "BTC_USDT", "id": 6},
    {"type": "activate_strategy", "strategy_name": 7, "symbol": "BTC_USDT", "id": 7},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC/USDT", "id": 8},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "LTC_USDT", "id": 9},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": ["BTC_USDT"], "id": 10},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "config": "fast", "id": 11},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "id": 12,
     "config": {"period": 1, "oversold": "low", "speed": 3, "overbought": True}},
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "id": 13,
     "config": {"oversold": 80}},
    {"type": "activate_strategy", "strategy_name": "MovingAverageCross", "symbol": "BTC_USDT", "id": 14,
     "config": {"short_window": 12}},
    {"type": "activate_strategy", "strategy_name": "MovingAverageCross", "symbol": "BTC_USDT", "id": 15,
     "config": {"short_window": 2.0, "long_window": 300}},
    {"type": "activate_strategy", "strategy_name": "BollingerBands", "symbol": "BTC_USDT", "id": 16,
     "config": {"num_std": 0.05, "period": False}, "session_id": "s9"},
], user=None)

requests("deactivate_strategy_errors", "deactivate_strategy errors: auth, permission, missing, unknown strategy, "
         "bad symbol, deactivate_strategy_failed", ["strategies", "errors"], [
    {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "id": 1},
    {"type": "login", "username": "viewer", "password": "viewer123"},
    {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "id": 2},
    {"type": "login", "username": "admin", "password": "admin123"},
    {"type": "deactivate_strategy", "id": 3},
    {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "id": 4},
    {"type": "deactivate_strategy", "strategy_name": "Martingale", "symbol": "BTC_USDT", "id": 5},
    {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "btc", "id": 6},
    {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "DOT_USDT", "id": 7},
    {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "id": 8},
], user=None)

requests("strategy_status_errors", "strategy_status: authentication_required, unknown strategy, a non-string name",
         ["strategies", "errors"], [
    {"type": "strategy_status", "id": 1},
    {"type": "login", "username": "viewer", "password": "viewer123"},
    {"type": "strategy_status", "strategy_name": "Martingale", "id": 2},
    {"type": "strategy_status", "strategy_name": 3, "id": 3},
    {"type": "strategy_status", "strategy_name": None, "id": 4},
], user=None)

requests("validate_strategy_config", "validate_strategy_config: valid (merged defaults), invalid configs as normal "
         "replies (unknown, type, range, cross-field), and errors", ["strategies"], [
    {"type": "validate_strategy_config", "strategy_name": "MovingAverageCross", "config": {"short_window": 20}, "id": 1},
    {"type": "validate_strategy_config", "id": 2},
    {"type": "login", "username": "viewer", "password": "viewer123"},
    {"type": "validate_strategy_config", "id": 3},
    {"type": "validate_strategy_config", "strategy_name": "RSIStrategy", "id": 4},
    {"type": "validate_strategy_config", "config": {}, "id": 5},
    {"type": "validate_strategy_config", "strategy_name": "Martingale", "config": {}, "id": 6},
    {"type": "validate_strategy_config", "strategy_name": "RSIStrategy", "config": [1], "id": 7},
    {"type": "validate_strategy_config", "strategy_name": "MovingAverageCross", "config": {}, "id": 8},
    {"type": "validate_strategy_config", "strategy_name": "MovingAverageCross",
     "config": {"short_window": 20, "long_window": 10}, "id": 9},
    {"type": "validate_strategy_config", "strategy_name": "MovingAverageCross",
     "config": {"short_window": 4, "long_window": 40}, "id": 10},
    {"type": "validate_strategy_config", "strategy_name": "RSIStrategy",
     "config": {"oversold": 70, "overbought": 30.5}, "id": 11},
    {"type": "validate_strategy_config", "strategy_name": "RSIStrategy",
     "config": {"period": 100, "oversold": 0, "overbought": 100}, "id": 12},
    {"type": "validate_strategy_config", "strategy_name": "RSIStrategy",
     "config": {"zeta": 1, "alpha": 2, "period": "14", "oversold": None, "overbought": 101}, "id": 13},
    {"type": "validate_strategy_config", "strategy_name": "BollingerBands",
     "config": {"period": 1.5, "num_std": 10.5}, "id": 14},
    {"type": "validate_strategy_config", "strategy_name": "BollingerBands",
     "config": {"period": True, "num_std": False}, "id": 15},
    {"type": "validate_strategy_config", "strategy_name": "BollingerBands",
     "config": {"period": 2, "num_std": 0.1}, "id": 16},
], user=None)


@scenario(name="upsert_strategy", tags=["strategies"])
async def upsert_strategy(s):
    """upsert_strategy: catalogue config (validated, merged, created false), custom strategy created then
    replaced; custom strategies join the catalogue, status, activation, sessions and collections"""
    c1, _ = await login(s, "c1", "admin")
    await ask_all(c1, [
        {"type": "upsert_strategy", "strategy_name": "RSIStrategy", "config": {"period": 5}, "id": 1},
        {"type": "upsert_strategy", "strategy_name": "MyStrategy", "config": {"alpha": 1, "beta": [1, 2]}, "id": 2},
        {"type": "upsert_strategy", "strategy_name": "MyStrategy", "config": {"alpha": 2}, "id": 3},
        {"type": "upsert_strategy", "strategy_name": "Second Strategy", "config": {}, "id": 4},
        {"type": "get_strategies", "id": 5},
        {"type": "strategy_status", "strategy_name": "MyStrategy", "id": 6},
        {"type": "validate_strategy_config", "strategy_name": "MyStrategy", "config": {"anything": True}, "id": 7},
        {"type": "activate_strategy", "strategy_name": "MyStrategy", "symbol": "btc_usdt", "id": 8},
        {"type": "activate_strategy", "strategy_name": "MyStrategy", "symbol": "eth_usdt",
         "config": {"gamma": 3}, "id": 9},
        {"type": "strategy_status", "id": 10},
        {"type": "deactivate_strategy", "strategy_name": "MyStrategy", "symbol": "BTC_USDT", "id": 11},
    ])
    started = await ask(c1, {"type": "session_start", "session_type": "paper", "id": 12,
                             "strategy_config": {"MyStrategy": ["BTC_USDT"], "RSIStrategy": ["BTC_USDT"]}})
    await c1.recv()
    await ask(c1, {"type": "session_stop", "session_id": started["session_id"], "id": 13})
    await c1.recv()


@scenario(name="upsert_strategy_custom_run", tags=["strategies", "sessions", "collections"],
          settings={"bar_interval": 0})
async def upsert_strategy_custom_run(s):
    """a custom (upserted) strategy in a backtest and a collection never signals"""
    c1, _ = await login(s, "c1", "admin")
    await ask(c1, {"type": "upsert_strategy", "strategy_name": "Quiet", "config": {"x": 1}, "id": 1})
    await ask(c1, {"type": "session_start", "session_type": "backtest", "id": 2, "config": {"bars": 3},
                   "strategy_config": {"Quiet": ["SOL_USDT"]}})
    await c1.recv()
    await c1.recv()  # completed (no market data subscription, no orders)
    started = await ask(c1, {"type": "collection_start", "symbols": ["SOL_USDT"], "duration": "3m",
                             "strategies": ["Quiet", "RSIStrategy"], "id": 3})
    await c1.recv()
    await ask(c1, {"type": "results_request", "collection_id": started["collection_id"], "id": 4})


requests("upsert_strategy_errors", "upsert_strategy errors: auth, permission, missing, bad name/config, "
         "validation_error, upsert_strategy_failed (unwritable file names)", ["strategies", "errors"], [
    {"type": "upsert_strategy", "strategy_name": "X", "config": {}, "id": 1},
    {"type": "login", "username": "trader", "password": "trader123"},
    {"type": "upsert_strategy", "strategy_name": "X", "config": {}, "id": 2},
    {"type": "login", "username": "admin", "password": "admin123"},
    {"type": "upsert_strategy", "id": 3},
    {"type": "upsert_strategy", "strategy_name": "X", "id": 4},
    {"type": "upsert_strategy", "config": {}, "strategy_name": None, "id": 5},
    {"type": "upsert_strategy", "strategy_name": "", "config": {}, "id": 6},
    {"type": "upsert_strategy", "strategy_name": 12, "config": {}, "id": 7},
    {"type": "upsert_strategy", "strategy_name": "X", "config": [], "id": 8},
    {"type": "upsert_strategy", "strategy_name": "X", "config": "{}", "id": 9},
    {"type": "upsert_strategy", "strategy_name": "MovingAverageCross", "config": {"short_window": 60}, "id": 10},
    {"type": "upsert_strategy", "strategy_name": "MovingAverageCross",
     "config": {"short_window": 10, "long_window": 5}, "id": 11},
    {"type": "upsert_strategy", "strategy_name": "bad\u0000name", "config": {}, "id": 12},
    {"type": "upsert_strategy", "strategy_name": "n" * 300, "config": {}, "id": 13},
    {"type": "get_strategies", "id": 14},
], user=None)


@scenario(name="upsert_strategy_configured_dir", tags=["strategies"],
          settings={"strategies_dir": "/tmp/wsgm-corpus-strategies"})
async def upsert_strategy_configured_dir(s):
    """upsert_strategy with the `strategies_dir` setting (an existing directory the server does not own)"""
    c1, _ = await login(s, "c1", "admin")
    await ask_all(c1, [
        {"type": "upsert_strategy", "strategy_name": "Configured", "config": {"k": "v"}, "id": 1},
        {"type": "upsert_strategy", "strategy_name": "BollingerBands", "config": {"num_std": 2.5}, "id": 2},
        {"type": "command", "command": "health_check", "id": 3},
    ])
