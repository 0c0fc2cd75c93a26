"""Strength: strategy signal edge cases, run bounds and rounding, live beside paper, config ordering."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import ask, ask_all, login, requests, until  # noqa: E402
from harness.scenario import scenario  # noqa: E402

QUICK = {"bar_interval": 0}
ALL_SYMBOLS = ["BTC_USDT", "ETH_USDT", "SOL_USDT", "BNB_USDT", "XRP_USDT"]


def upsert(name, config, n):
    return {"type": "upsert_strategy", "strategy_name": name, "config": config, "id": f"upsert-{n}"}


async def collect(client, n, symbols, duration, strategies):
    """collection_start, its collection_update, then results_request."""
    started = await ask(client, {"type": "collection_start", "symbols": symbols, "duration": duration,
                                 "strategies": strategies, "id": f"collect-{n}"})
    await until(client, "collection_update")
    await ask(client, {"type": "results_request", "collection_id": started["collection_id"], "id": f"results-{n}"})


@scenario(name="trading_signal_edges", tags=["collections", "strategies", "strength"], settings=QUICK)
async def trading_signal_edges(s):
    """collections with tuned configs that hit the signal edges: MovingAverageCross 2/6 (sell on an exact tie
    of the previous averages), 2/11 (a cross on the first bar that has long_window + 1 closes), 3/115 over 5h
    (the warm-up bound); RSIStrategy 2 with oversold 0 / overbought 100 (RSI exactly 0 is not below 0, XRP's
    sub-unit changes); BollingerBands 2 / 1.0 (a flat window: the close equals both bands); small XRP losses
    (profit_factor with gross_loss below 1)"""
    c1, _ = await login(s, "c1", "admin")
    await ask_all(c1, [
        upsert("MovingAverageCross", {"short_window": 2, "long_window": 6}, 1),
        upsert("RSIStrategy", {"period": 2, "oversold": 0, "overbought": 100}, 2),
        upsert("BollingerBands", {"period": 2, "num_std": 1.0}, 3),
    ])
    await collect(c1, 1, ALL_SYMBOLS, "1h", ["MovingAverageCross", "RSIStrategy", "BollingerBands"])
    await ask(c1, upsert("MovingAverageCross", {"short_window": 2, "long_window": 11}, 4))
    await collect(c1, 2, ["BTC_USDT", "SOL_USDT"], "1h", ["MovingAverageCross"])
    await ask_all(c1, [
        upsert("MovingAverageCross", {"short_window": 3, "long_window": 115}, 5),
        upsert("RSIStrategy", {"period": 2, "oversold": 30, "overbought": 70}, 6),
    ])
    await collect(c1, 3, ["BTC_USDT", "XRP_USDT"], "5h", ["MovingAverageCross", "RSIStrategy"])


@scenario(name="trading_run_bounds", tags=["sessions", "collections", "strength"], settings=QUICK)
async def trading_run_bounds(s):
    """bounds of runs: a 1-bar backtest with quantity 0.5 and initial_capital 0.123456 (both at most 1; final_equity
    rounded to 4), a backtest whose fractional quantity gives long pnl decimals, a 1-minute collection
    (completes after its only bar), and 1441m (one bar over the 1d maximum) refused"""
    c1, _ = await login(s, "c1", "trader")
    await ask(c1, {"type": "session_start", "session_type": "backtest", "id": 1,
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
                   "config": {"bars": 1, "quantity": 0.5, "initial_capital": 0.123456}})
    await until(c1, "session_update", "completed")
    await ask_all(c1, [
        {"type": "activate_strategy", "strategy_name": "BollingerBands", "symbol": "XRP_USDT",
         "config": {"period": 2, "num_std": 0.1}, "id": 2},
        {"type": "activate_strategy", "strategy_name": "MovingAverageCross", "symbol": "ETH_USDT",
         "config": {"short_window": 2, "long_window": 3}, "id": 3},
    ])
    await ask(c1, {"type": "session_start", "session_type": "backtest", "id": 4,
                   "strategy_config": {"BollingerBands": ["XRP_USDT"], "MovingAverageCross": ["ETH_USDT"]},
                   "config": {"bars": 30, "quantity": 0.123457, "initial_capital": 777.777777}})
    await until(c1, "session_update", "completed")
    started = await ask(c1, {"type": "collection_start", "symbols": ["SOL_USDT"], "duration": "1m",
                             "strategies": ["BollingerBands"], "id": 5})
    await until(c1, "collection_update")
    await ask_all(c1, [
        {"type": "results_request", "collection_id": started["collection_id"], "id": 6},
        {"type": "collection_start", "symbols": ["BTC_USDT"], "duration": "1441m", "id": 7},
    ])


@scenario(name="trading_live_beside_paper", tags=["sessions", "multi_client", "strength"])
async def trading_live_beside_paper(s):
    """a live session may start while another user's paper session runs (only a running live session
    conflicts), and after a live session was stopped"""
    c1, _ = await login(s, "c1", "trader")
    await ask(c1, {"type": "session_start", "session_type": "paper", "id": 1,
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}})
    await c1.recv()  # session_update running
    c2, _ = await login(s, "c2", "admin")
    live = await ask(c2, {"type": "session_start", "session_type": "live", "id": 2,
                          "strategy_config": {"MovingAverageCross": ["ETH_USDT"]}})
    await c2.recv()
    await ask(c2, {"type": "session_stop", "session_id": live["session_id"], "id": 3})
    await c2.recv()
    await ask(c1, {"type": "session_stop", "id": 4})
    await c1.recv()
    await ask(c1, {"type": "session_start", "session_type": "live", "id": 5,
                   "strategy_config": {"BollingerBands": ["SOL_USDT"]}})
    await c1.recv()
    await ask(c1, {"type": "session_status", "id": 6})


requests("strategy_config_ordering", "validation edges: equal short/long windows and equal oversold/overbought are "
         "refused (must be less than), a builtin upsert with two bad fields joins both errors with '; '",
         ["strategies", "errors", "strength"], [
    {"type": "validate_strategy_config", "strategy_name": "MovingAverageCross",
     "config": {"short_window": 10, "long_window": 10}, "id": 1},
    {"type": "validate_strategy_config", "strategy_name": "RSIStrategy",
     "config": {"oversold": 45.5, "overbought": 45.5}, "id": 2},
    {"type": "validate_strategy_config", "strategy_name": "MovingAverageCross",
     "config": {"short_window": 9, "long_window": 10}, "id": 3},
    upsert("MovingAverageCross", {"short_window": "a", "long_window": 1}, 4),
    upsert("RSIStrategy", {"period": 1.5, "oversold": -1, "overbought": "x", "extra": 1}, 5),
    upsert("BollingerBands", {"period": 3, "num_std": 3}, 6),
    {"type": "activate_strategy", "strategy_name": "MovingAverageCross", "symbol": "BTC_USDT",
     "config": {"short_window": 20, "long_window": 20}, "id": 7},
], user="admin")
