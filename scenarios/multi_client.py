"""Several clients: market data fan-out, session updates to subscribers, per-IP shared state."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import ask, ask_all, frames, login, until  # noqa: E402
from harness.scenario import scenario  # noqa: E402

BARS = 6


@scenario(name="broadcast_market_data", tags=["multi_client", "market_data", "sessions"],
          settings={"bar_interval": 0.005})
async def broadcast_market_data(s):
    """a backtest's market data reaches every subscriber, filtered by symbols; session_update goes to the
    owner and to `sessions` subscribers; a client without subscriptions gets nothing"""
    owner, _ = await login(s, "owner", "trader")
    everything, _ = await login(s, "all", "viewer")
    btc, _ = await login(s, "btc", "viewer")
    eth, _ = await login(s, "eth", "admin")
    watcher, _ = await login(s, "watcher", "viewer")
    idle, _ = await login(s, "idle", "viewer")
    await ask(owner, {"type": "subscribe", "stream": "sessions"})
    await ask(everything, {"type": "subscribe", "stream": "market_data"})
    await ask(btc, {"type": "subscribe", "stream": "market_data", "symbols": ["BTC_USDT"]})
    await ask_all(eth, [
        {"type": "subscribe", "stream": "market_data", "symbols": ["eth_usdt", "SOL_USDT"]},
        {"type": "subscribe", "stream": "sessions"},
    ])
    await ask_all(watcher, [
        {"type": "subscribe", "stream": "sessions", "symbols": ["XRP_USDT"]},
        {"type": "subscribe", "stream": "orders"},
    ])
    await ask(owner, {"type": "session_start", "session_type": "backtest", "id": 1, "config": {"bars": BARS},
                      "strategy_config": {"MovingAverageCross": ["BTC_USDT", "ETH_USDT"]}})
    await until(owner, "session_update", "completed")
    await frames(everything, 2 * BARS)
    await frames(btc, BARS)
    await until(eth, "session_update", "completed")
    await frames(watcher, 2)
    await ask(idle, {"type": "ping", "id": 2})


@scenario(name="broadcast_after_unsubscribe", tags=["multi_client", "market_data", "subscriptions"],
          settings={"bar_interval": 0.005})
async def broadcast_after_unsubscribe(s):
    """subscribers that unsubscribed or logged out receive nothing from the next backtest"""
    owner, _ = await login(s, "owner", "admin")
    left, _ = await login(s, "left", "viewer")
    out, _ = await login(s, "out", "viewer")
    stay, _ = await login(s, "stay", "viewer")
    for client in (left, out, stay):
        await ask(client, {"type": "subscribe", "stream": "market_data", "symbols": ["XRP_USDT"]})
    await ask(left, {"type": "unsubscribe", "stream": "market_data"})
    await ask(out, {"type": "logout"})
    await ask(owner, {"type": "session_start", "session_type": "backtest", "id": 1, "config": {"bars": 3},
                      "strategy_config": {"RSIStrategy": ["XRP_USDT"]}})
    await until(owner, "session_update", "completed")
    await frames(stay, 3)
    await ask(left, {"type": "ping", "id": 2})
    await ask(out, {"type": "ping", "id": 3})
