"""The Python API of the server: every public method called at points of a session (`call` lines),
and what the server publishes on its event bus (`event` lines)."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import FAST, SETTLE_MS, ask, ask_all, frames, leave, login, returned, until  # noqa: E402
from harness.scenario import scenario  # noqa: E402

BROADCAST = "broadcast_to_subscribers"
TICK = {"symbol": "BTC_USDT", "price": 101.5}


@scenario(name="api_broadcast", tags=["python_api", "subscriptions", "multi_client"])
async def api_broadcast(s):
    """broadcast_to_subscribers returns how many clients it reached: 0 without subscribers or for an
    unknown stream, filtered by symbols, with exclude_client, a critical stream (orders) with its
    message_id, a non-object payload, a subscriber that left (queued, not counted); called without
    its arguments it raises TypeError"""
    assert await returned(s, BROADCAST, "market_data", TICK) == 0
    assert await returned(s, BROADCAST, "no_such_stream", TICK) == 0
    c1, w1 = await login(s, "c1", "trader")
    c2, _ = await login(s, "c2", "viewer")
    c3, _ = await login(s, "c3", "trader")
    await ask(c1, {"type": "subscribe", "stream": "market_data", "symbols": ["BTC_USDT"], "id": 1})
    await ask(c2, {"type": "subscribe", "stream": "market_data", "id": 1})
    await ask(c3, {"type": "subscribe", "stream": "orders", "id": 1})
    assert await returned(s, BROADCAST, "market_data", TICK) == 2
    await frames(c1, 1)
    await frames(c2, 1)
    assert await returned(s, BROADCAST, "market_data", {"symbol": "ETH_USDT", "price": 7}) == 1
    await frames(c2, 1)
    assert await returned(s, BROADCAST, "market_data", TICK, exclude_client=w1["client_id"]) == 1
    await frames(c2, 1)
    assert await returned(s, BROADCAST, "market_data", 42) == 2
    await frames(c1, 1)
    await frames(c2, 1)
    assert await returned(s, BROADCAST, "orders", {"symbol": "BTC_USDT", "side": "buy"}) == 1
    await frames(c3, 1)
    await leave(s, c3)
    await s.sleep(SETTLE_MS)
    assert await returned(s, BROADCAST, "orders", {"symbol": "BTC_USDT", "side": "sell"}) == 0
    await returned(s, "get_stats")
    outcome = await s.call(BROADCAST)
    assert outcome.kind == "raised", outcome


@scenario(name="api_stats_and_health", tags=["python_api", "admin", "sessions"],
          settings={"bar_interval": 2.0, "max_connections": 2})
async def api_stats_and_health(s):
    """get_stats and health_check before any client, after a login, with subscriptions, at the
    connection limit (capacity check false: degraded), during and after a backtest, after clients
    left (persisted sessions)"""
    await returned(s, "get_stats")
    await returned(s, "health_check")
    c1, _ = await login(s, "c1", "trader")
    await ask_all(c1, [{"type": "subscribe", "stream": "sessions", "id": 1},
                       {"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"], "id": 2},
                       {"type": "ping", "id": 3}])
    await returned(s, "get_stats")
    await returned(s, "health_check")
    c2, _ = await login(s, "c2", "admin")
    await returned(s, "health_check")
    await ask(c1, {"type": "session_start", "session_type": "backtest", "id": 4,
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 200}})
    await until(c1, "session_update", "running")
    await returned(s, "get_stats")
    await ask(c1, {"type": "session_stop", "id": 5})
    await until(c1, "session_update", "stopped")
    await returned(s, "get_stats")
    await leave(s, c2)
    await leave(s, c1)
    await s.sleep(SETTLE_MS)
    await returned(s, "get_stats")
    await returned(s, "health_check")


@scenario(name="api_stop_during_backtest", tags=["python_api", "sessions", "lifecycle", "multi_client"],
          settings={"bar_interval": 2.0})
async def api_stop_during_backtest(s):
    """stop() while two clients are connected and a backtest runs: it returns None, both clients are
    closed, the backtest publishes nothing more; get_stats and health_check after the stop"""
    c1, _ = await login(s, "c1", "trader")
    c2, _ = await login(s, "c2", "viewer")
    await ask(c2, {"type": "subscribe", "stream": "sessions", "id": 1})
    await ask(c1, {"type": "session_start", "session_type": "backtest", "id": 2,
                   "strategy_config": {"MovingAverageCross": ["BTC_USDT"]}, "config": {"bars": 400}})
    await until(c1, "session_update", "running")
    await until(c2, "session_update", "running")
    await returned(s, "health_check")
    assert await returned(s, "stop") is None
    await c1.expect_closed()
    await c2.expect_closed()
    await returned(s, "get_stats")
    await returned(s, "health_check")


@scenario(name="api_events_sessions_and_collections", tags=["python_api", "sessions", "collections"],
          settings=FAST)
async def api_events_sessions_and_collections(s):
    """the event bus: session_update publications of a backtest (running, completed), of a paper
    session (running, stopped) and of a stopped backtest; a data collection publishes nothing"""
    c1, _ = await login(s, "c1", "trader")
    await ask(c1, {"type": "session_start", "session_type": "backtest", "id": 1,
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 12}})
    await until(c1, "session_update", "completed")
    await ask(c1, {"type": "session_start", "session_type": "paper", "id": 2,
                   "strategy_config": {"BollingerBands": ["ETH_USDT"]}})
    await until(c1, "session_update", "running")
    await ask(c1, {"type": "session_stop", "id": 3})
    await until(c1, "session_update", "stopped")
    await ask(c1, {"type": "collection_start", "symbols": ["BTC_USDT"], "duration": "5m", "id": 4})
    await until(c1, "collection_update", "completed")
    await ask(c1, {"type": "collection_stop", "id": 5})
    await returned(s, "get_stats")


@scenario(name="api_broadcast_critical", tags=["python_api", "subscriptions", "reconnect", "multi_client"])
async def api_broadcast_critical(s):
    """critical streams through broadcast_to_subscribers: positions get a message_id too; an explicit
    message_id reaches a client once (the second push returns 0); a subscriber that left gets what was
    broadcast while it was away on its header reconnect, except a broadcast that excluded it; a departed
    client not subscribed to the stream gets nothing"""
    c1, _ = await login(s, "c1", "trader")
    c2, w2 = await login(s, "c2", "trader")
    c3, w3 = await login(s, "c3", "viewer")
    await ask(c1, {"type": "subscribe", "stream": "positions", "id": 1})
    await ask(c2, {"type": "subscribe", "stream": "orders", "id": 1})
    await ask(c3, {"type": "subscribe", "stream": "market_data", "id": 1})
    assert await returned(s, BROADCAST, "positions", {"symbol": "BTC_USDT", "quantity": 1}) == 1
    await frames(c1, 1)
    assert await returned(s, BROADCAST, "orders", {"symbol": "BTC_USDT", "message_id": "order-7"}) == 1
    await frames(c2, 1)
    assert await returned(s, BROADCAST, "orders", {"symbol": "BTC_USDT", "message_id": "order-7"}) == 0
    await leave(s, c2)
    await leave(s, c3)
    await s.sleep(SETTLE_MS)
    assert await returned(s, BROADCAST, "orders", {"symbol": "BTC_USDT", "side": "buy"}) == 0
    assert await returned(s, BROADCAST, "orders", {"symbol": "BTC_USDT", "side": "sell"},
                          exclude_client=w2["client_id"]) == 0
    await returned(s, "get_stats")
    c2 = await s.connect("c2", headers={"X-Reconnect-Token": w2["reconnect_token"]})
    await c2.recv_until("orders")
    assert (await ask(c2, {"type": "ping", "id": 2}))["type"] == "pong"
    c3 = await s.connect("c3", headers={"X-Reconnect-Token": w3["reconnect_token"]})
    await c3.recv()
    assert (await ask(c3, {"type": "ping", "id": 2}))["type"] == "pong"
