"""Trading sessions: backtest / paper / live start, stop, status, conflicts and validation."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import FAST, ask, ask_all, login, requests, until  # noqa: E402
from harness.scenario import scenario  # noqa: E402

TUNE = [
    {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "config": {"period": 2}},
    {"type": "activate_strategy", "strategy_name": "BollingerBands", "symbol": "ETH_USDT",
     "config": {"period": 2, "num_std": 0.1}},
    {"type": "activate_strategy", "strategy_name": "MovingAverageCross", "symbol": "BTC_USDT",
     "config": {"short_window": 2, "long_window": 3}},
]


@scenario(name="session_backtest", tags=["sessions", "market_data"], settings=FAST)
async def session_backtest(s):
    """backtest over 24 bars: reply, session_update running, market_data, orders/positions to the owner,
    session_update completed with results; session_status of the finished session"""
    c1, _ = await login(s, "c1", "trader")
    await ask_all(c1, TUNE + [
        {"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt"]},
        {"type": "subscribe", "stream": "sessions"},
    ])
    started = await ask(c1, {"type": "session_start", "id": 1, "session_type": "backtest",
                             "strategy_config": {"RSIStrategy": ["btc_usdt"], "BollingerBands": ["ETH_USDT", "BTC_USDT"],
                                                 "MovingAverageCross": ["BTC_USDT", "BTC_USDT"]},
                             "config": {"bars": 24, "initial_capital": 5000, "quantity": 2, "ignored": 1}})
    await until(c1, "session_update", "completed")
    await ask_all(c1, [
        {"type": "session_status", "session_id": started["session_id"], "id": 2},
        {"type": "session_status", "id": 3},
        {"type": "session_stop", "session_id": started["session_id"], "id": 4},
    ])


@scenario(name="session_backtest_defaults", tags=["sessions"], settings={"bar_interval": 0.001})
async def session_backtest_defaults(s):
    """backtest with the default config (50 bars, default strategy parameters) on all symbols"""
    c1, _ = await login(s, "c1", "admin")
    await ask(c1, {"type": "session_start", "id": 1, "session_type": "backtest",
                   "strategy_config": {"MovingAverageCross": ["BTC_USDT", "ETH_USDT", "SOL_USDT", "BNB_USDT", "XRP_USDT"],
                                       "RSIStrategy": ["XRP_USDT", "SOL_USDT"], "BollingerBands": ["BNB_USDT"]},
                   "config": None})
    await until(c1, "session_update", "completed")


@scenario(name="session_paper_and_live", tags=["sessions"])
async def session_paper_and_live(s):
    """paper and live sessions: start (bars_total null), status, stop with and without id, errors after stop"""
    c1, _ = await login(s, "c1", "trader")
    paper = await ask(c1, {"type": "session_start", "session_type": "Paper", "id": 1,
                           "strategy_config": {"BollingerBands": ["sol_usdt"]}, "config": {"bars": 5}})
    await c1.recv()  # session_update running
    await ask_all(c1, [
        {"type": "session_status", "id": 2},
        {"type": "session_status", "session_id": paper["session_id"], "id": 3},
    ])
    await ask(c1, {"type": "session_stop", "id": 4})
    await c1.recv()  # session_update stopped
    await ask_all(c1, [
        {"type": "session_status", "session_id": paper["session_id"], "id": 5},
        {"type": "session_stop", "id": 6},
        {"type": "session_stop", "session_id": paper["session_id"], "id": 7},
    ])
    live = await ask(c1, {"type": "session_start", "session_type": "live", "id": 8,
                          "strategy_config": {"RSIStrategy": ["bnb_usdt", "XRP_USDT"]}})
    await c1.recv()
    await ask(c1, {"type": "session_stop", "session_id": live["session_id"], "id": 9})
    await c1.recv()
    await ask(c1, {"type": "session_status", "id": 10})


@scenario(name="session_backtest_stopped", tags=["sessions"], settings={"bar_interval": 0.4})
async def session_backtest_stopped(s):
    """a backtest stopped before its first bar (bar_interval 0.4 s): reply, session_update stopped, and
    nothing after, even once the bar time has passed"""
    c1, _ = await login(s, "c1", "trader")
    await ask(c1, {"type": "subscribe", "stream": "market_data"})
    started = await ask(c1, {"type": "session_start", "session_type": "backtest", "id": 1,
                             "strategy_config": {"MovingAverageCross": ["BTC_USDT"]}, "config": {"bars": 3}})
    await c1.recv()
    await ask(c1, {"type": "session_stop", "id": 2})
    await c1.recv()
    await s.sleep(600)
    await ask(c1, {"type": "session_status", "session_id": started["session_id"], "id": 3})


@scenario(name="work_running_at_shutdown", tags=["sessions", "collections"], settings={"bar_interval": 5})
async def work_running_at_shutdown(s):
    """a paper session, a backtest and a collection still running when the server stops (nothing is sent)"""
    c1, _ = await login(s, "c1", "trader")
    await ask(c1, {"type": "session_start", "session_type": "paper", "id": 1,
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}})
    await c1.recv()
    c2, _ = await login(s, "c2", "admin")
    await ask(c2, {"type": "session_start", "session_type": "backtest", "id": 2,
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}})
    await c2.recv()
    await ask(c2, {"type": "collection_start", "symbols": ["XRP_USDT"], "duration": "5m", "id": 3})


requests("session_start_errors", "session_start errors in check order: auth, missing, session_type, permission, "
         "strategy_config, validation_error, config.*, idempotent", ["sessions", "errors"], [
    {"type": "session_start", "session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "id": 1},
    {"type": "login", "username": "viewer", "password": "viewer123"},
    {"type": "session_start", "session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "id": 2},
    {"type": "session_start", "session_type": "live", "strategy_config": {}, "id": 3},
    {"type": "login", "username": "trader", "password": "trader123"},
    {"type": "session_start", "id": 4},
    {"type": "session_start", "session_type": "paper", "id": 5},
    {"type": "session_start", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "session_type": None, "id": 6},
    {"type": "session_start", "session_type": "forward", "strategy_config": {}, "id": 7},
    {"type": "session_start", "session_type": 3, "strategy_config": {}, "id": 8},
    {"type": "session_start", "session_type": "paper", "strategy_config": [], "id": 9},
    {"type": "session_start", "session_type": "paper", "strategy_config": {}, "id": 10},
    {"type": "session_start", "session_type": "paper", "strategy_config": "RSIStrategy", "id": 11},
    {"type": "session_start", "session_type": "paper", "id": 12, "strategy_config": {
        "Martingale": ["BTC_USDT"], "RSIStrategy": "BTC_USDT", "BollingerBands": [], "MovingAverageCross": ["DOGE_USDT"],
        "RSIStrategy ": ["btc-usdt"]}},
    {"type": "session_start", "session_type": "paper", "id": 13,
     "strategy_config": {"RSIStrategy": ["BTC_USDT", 5], "BollingerBands": ["ETH_USDT"]}},
    {"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
     "config": [1], "id": 14},
    *[{"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
       "config": {"bars": bars}, "id": f"bars-{n}"} for n, bars in enumerate([0, 1001, True, "5", 2.5, -1])],
    *[{"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
       "config": {"initial_capital": cap}, "id": f"capital-{n}"} for n, cap in enumerate([0, -5, 1e13, True, "x", None])],
    *[{"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
       "config": {"quantity": qty}, "id": f"qty-{n}"} for n, qty in enumerate([0, 2e6, False, [1]])],
    {"type": "session_start", "session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
     "idempotent": "yes", "id": 15},
    {"type": "session_start", "session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
     "idempotent": 1, "id": 16, "session_id": "mine"},
], user=None)


@scenario(name="session_conflicts", tags=["sessions", "errors", "multi_client"])
async def session_conflicts(s):
    """same user twice -> User already has an active session (idempotent returns it); a second user's live
    session -> Another live session is already active; admin sees and stops another user's session"""
    c1, _ = await login(s, "c1", "trader")
    c2, _ = await login(s, "c2", "trader")
    c3, _ = await login(s, "c3", "admin")
    live = await ask(c1, {"type": "session_start", "session_type": "live", "id": 1,
                          "strategy_config": {"MovingAverageCross": ["BTC_USDT"]}})
    await c1.recv()
    await ask_all(c2, [
        {"type": "session_start", "session_type": "paper", "id": 2, "strategy_config": {"RSIStrategy": ["ETH_USDT"]}},
        {"type": "session_start", "session_type": "backtest", "id": 3, "idempotent": True,
         "strategy_config": {"RSIStrategy": ["ETH_USDT"]}},
        {"type": "session_start", "session_type": "live", "id": 4, "idempotent": False,
         "strategy_config": {"RSIStrategy": ["ETH_USDT"]}},
        {"type": "session_status", "id": 5},
    ])
    await ask(c3, {"type": "session_start", "session_type": "live", "id": 6,
                   "strategy_config": {"BollingerBands": ["ETH_USDT"]}})
    await ask(c3, {"type": "session_start", "session_type": "LIVE", "id": 7,
                   "strategy_config": {"BollingerBands": ["ETH_USDT"]}, "session_id": "wanted"})
    await ask_all(c3, [
        {"type": "session_status", "session_id": live["session_id"], "id": 8},
        {"type": "session_status", "id": 9},
    ])
    await ask(c3, {"type": "session_stop", "session_id": live["session_id"], "id": 10})
    await c1.recv()  # the stopped update goes to the owner (and sessions subscribers) only


@scenario(name="session_stop_and_status_errors", tags=["sessions", "errors", "multi_client"])
async def session_stop_and_status_errors(s):
    """session_stop/session_status errors: auth, permission, invalid/unknown session_id, another user's
    session, No active session, Session is not running"""
    c1, _ = await login(s, "c1", None)
    await ask_all(c1, [
        {"type": "session_stop", "id": 1},
        {"type": "session_status", "id": 2},
        {"type": "login", "username": "viewer", "password": "viewer123"},
        {"type": "session_stop", "id": 3},
        {"type": "session_status", "id": 4},
        {"type": "login", "username": "trader", "password": "trader123"},
        {"type": "session_stop", "id": 5},
        {"type": "session_stop", "session_id": 12, "id": 6},
        {"type": "session_status", "session_id": ["x"], "id": 7},
        {"type": "session_stop", "session_id": "session_0000000000000000", "id": 8},
        {"type": "session_status", "session_id": "session_0000000000000000", "id": 9},
    ])
    c2, _ = await login(s, "c2", "admin")
    admin = await ask(c2, {"type": "session_start", "session_type": "paper", "id": 10,
                           "strategy_config": {"RSIStrategy": ["ETH_USDT"]}})
    await c2.recv()
    await ask_all(c1, [
        {"type": "session_status", "session_id": admin["session_id"], "id": 11},
        {"type": "session_stop", "session_id": admin["session_id"], "id": 12},
    ])
    await ask(c2, {"type": "session_stop", "id": 13})
    await c2.recv()
    await ask(c2, {"type": "session_stop", "session_id": admin["session_id"], "id": 14})
