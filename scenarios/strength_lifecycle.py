"""Lifecycle strength: connection/reconnect/rate-limit counters in get_stats, and the periodic
upkeep (heartbeat_interval makes it run every fraction of a second) keeping what it must keep."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import STATS, ask, ask_all, connect, frames, leave, login  # noqa: E402
from harness.scenario import scenario  # noqa: E402

BAR_MS = 100
RSI2 = {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "config": {"period": 2}}


@scenario(name="lifecycle_stats_counters", tags=["lifecycle", "admin", "limits", "reconnect"],
          settings={"max_connections": 2, "rate_limit": 4, "rate_window": 0.5})
async def lifecycle_stats_counters(s):
    """get_stats after one rejected connection (max_connections 2), two saved sessions, one header
    reconnect and two rate-limited messages (rate_limit 4 per 0.5 s): rejected 1, reconnections 1,
    persisted 1, rate_limited 2"""
    c1, _ = await login(s, "c1", "admin")
    c2, w2 = await connect(s, "c2")
    extra = await s.connect("c3")
    await extra.expect_closed()
    await leave(s, c2)
    c4, _ = await connect(s, "c4")
    await leave(s, c4)
    c2, _ = await connect(s, "c2", headers={"X-Reconnect-Token": w2["reconnect_token"]})
    await s.sleep(600)  # the login's rate window is over
    await ask_all(c2, [{"type": "ping", "id": n} for n in range(1, 7)])
    await s.sleep(600)
    await ask(c1, dict(STATS, id="stats-1"))


@scenario(name="lifecycle_upkeep_keeps_queue", tags=["lifecycle", "reconnect", "sessions", "admin"],
          settings={"bar_interval": BAR_MS / 1000, "heartbeat_interval": 0.5})
async def lifecycle_upkeep_keeps_queue(s):
    """upkeep runs every 0.5 s (heartbeat_interval) while the owner of a backtest is away: its saved
    session and queued orders/positions survive; get_stats counts them (sessions.queued_messages),
    then the header reconnect delivers them"""
    c1, welcome = await login(s, "c1", "trader")
    await ask_all(c1, [RSI2, {"type": "subscribe", "stream": "orders", "symbols": ["BTC_USDT"]}])
    await ask(c1, {"type": "session_start", "session_type": "backtest", "id": "start",
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 10}})
    await c1.recv()  # session_update running
    await leave(s, c1)
    await s.sleep(10 * BAR_MS + 1500)  # the ten bars, with room for a loaded machine
    admin, _ = await login(s, "admin", "admin")
    await ask(admin, dict(STATS, id="stats-1"))
    c1, _ = await connect(s, "c1", headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await frames(c1, 4)
    await ask(c1, {"type": "ping", "id": 1})


@scenario(name="lifecycle_upkeep_keeps_rate_window", tags=["lifecycle", "limits"],
          settings={"rate_limit": 3, "heartbeat_interval": 0.3})
async def lifecycle_upkeep_keeps_rate_window(s):
    """rate_limit 3 per 60 s window with upkeep every 0.3 s: the upkeep does not reset an open window,
    so the 4th message after 0.7 s is still rate-limited"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [{"type": "ping", "id": n} for n in range(1, 4)])
    await s.sleep(700)
    await ask_all(c1, [{"type": "ping", "id": n} for n in range(4, 6)])
