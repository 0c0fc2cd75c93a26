"""Trading sessions: backtest events, determinism, conflicts, stop, status."""

import asyncio

import pytest

from legacy_support import assert_error

CONFIG = {"MovingAverageCross": ["BTC_USDT"], "RSIStrategy": ["btc_usdt", "ETH_USDT"]}


def is_update(status):
    return lambda f: f["type"] == "session_update" and f["data"]["status"] == status


async def run_backtest(client, strategy_config=CONFIG, bars=40, **extra):
    r = await client.request(dict({"type": "session_start", "session_type": "backtest",
                                   "strategy_config": strategy_config, "config": {"bars": bars}}, **extra))
    assert r["status"] == "session_started", r
    done = await client.wait_for(is_update("completed"))
    return r, done


def strip_ids(frame, session_id):
    import json
    return json.loads(json.dumps(frame["data"]).replace(session_id, "S"))


async def test_backtest_events(trader):
    await trader.request({"type": "subscribe", "stream": "market_data", "symbols": ["BTC_USDT"]})
    r, done = await run_backtest(trader)
    assert list(r) == ["type", "status", "session_id", "session_type", "strategies", "symbols", "bars_total",
                       "already_running", "timestamp", "request_id"]
    assert r["symbols"] == ["BTC_USDT", "ETH_USDT"] and r["strategies"] == ["MovingAverageCross", "RSIStrategy"]
    assert r["bars_total"] == 40 and r["already_running"] is False
    sid = r["session_id"]
    frames = trader.pushed
    assert frames[0]["type"] == "session_update" and frames[0]["data"]["status"] == "running"
    assert frames[0]["data"] == {"session_id": sid, "session_type": "backtest", "status": "running",
                                 "bars_total": 40, "bars_processed": 0}
    md = [f for f in frames if f["type"] == "market_data"]
    assert [f["data"]["bar"] for f in md] == list(range(40))
    assert all(f["data"]["symbol"] == "BTC_USDT" for f in md)
    assert list(md[0]["data"]) == ["session_id", "symbol", "bar", "open", "high", "low", "close", "volume"]
    critical = [f for f in frames if f["type"] in ("orders", "positions")]
    assert critical, "expected some trades"
    assert [f["data"]["message_id"] for f in critical] == [f"{sid}:{i}" for i in range(1, len(critical) + 1)]
    orders = [f for f in critical if f["type"] == "orders"]
    assert list(orders[0]["data"]) == ["message_id", "session_id", "order_id", "strategy", "symbol", "side",
                                       "quantity", "price", "status", "bar"]
    assert orders[0]["data"]["order_id"] == f"{sid}:order:1"
    res = done["data"]["results"]
    assert list(res) == ["bars_processed", "orders", "closed_trades", "winning_trades", "losing_trades",
                         "open_positions", "realized_pnl", "final_equity", "per_strategy"]
    assert res["orders"] == len(orders) and res["bars_processed"] == 40
    assert res["final_equity"] == round(10000.0 + res["realized_pnl"], 4)
    status = await trader.request({"type": "session_status", "session_id": sid})
    assert status["session"]["state"] == "completed" and status["session"]["results"] == res
    assert (await trader.request({"type": "session_status"}))["session"] is None


async def test_backtest_is_deterministic(server, make_client):
    outputs = []
    for _ in range(2):
        c = await make_client(server)
        await c.login("trader")
        r, done = await run_backtest(c, {"BollingerBands": ["SOL_USDT", "XRP_USDT"], "RSIStrategy": ["BNB_USDT"]}, 80)
        sid = r["session_id"]
        outputs.append(([strip_ids(f, sid) for f in c.pushed], strip_ids(done, sid)))
        await c.close()
    assert outputs[0] == outputs[1]
    assert outputs[0][1]["results"]["orders"] > 0


async def test_backtest_known_values(trader):
    _, done = await run_backtest(trader, {"MovingAverageCross": ["BTC_USDT"]}, 60)
    res = done["data"]["results"]
    assert res == {"bars_processed": 60, "orders": res["orders"], "closed_trades": res["closed_trades"],
                   "winning_trades": res["winning_trades"], "losing_trades": res["losing_trades"],
                   "open_positions": res["open_positions"], "realized_pnl": res["realized_pnl"],
                   "final_equity": res["final_equity"], "per_strategy": {"MovingAverageCross": {
                       "orders": res["orders"], "closed_trades": res["closed_trades"],
                       "realized_pnl": res["realized_pnl"]}}}
    assert res["orders"] == 2 * res["closed_trades"] + res["open_positions"]


async def test_sessions_stream_subscriber(server, make_client):
    owner = await make_client(server)
    await owner.login("trader")
    watcher = await make_client(server)
    await watcher.login("viewer")
    await watcher.request({"type": "subscribe", "stream": "sessions"})
    r, _ = await run_backtest(owner, bars=5)
    running = await watcher.wait_for(is_update("running"))
    completed = await watcher.wait_for(is_update("completed"))
    assert running["data"]["session_id"] == completed["data"]["session_id"] == r["session_id"]
    assert not any(f["type"] in ("orders", "positions") for f in watcher.pushed)


async def test_session_start_validation(trader):
    cases = [
        ({}, "missing_parameters", "Required: session_type, strategy_config"),
        ({"session_type": "backtest"}, "missing_parameters", "Required: strategy_config"),
        ({"strategy_config": CONFIG}, "missing_parameters", "Required: session_type"),
        ({"session_type": "x", "strategy_config": CONFIG}, "invalid_parameter", "Invalid parameter: session_type"),
        ({"session_type": 1, "strategy_config": CONFIG}, "invalid_parameter", "Invalid parameter: session_type"),
        ({"session_type": "backtest", "strategy_config": []}, "invalid_parameter", "Invalid parameter: strategy_config"),
        ({"session_type": "backtest", "strategy_config": {}}, "invalid_parameter", "Invalid parameter: strategy_config"),
        ({"session_type": "backtest", "strategy_config": "x"}, "invalid_parameter", "Invalid parameter: strategy_config"),
        ({"session_type": "backtest", "strategy_config": {"Nope": ["BTC_USDT"], "RSIStrategy": "BTC_USDT",
                                                          "BollingerBands": ["DOGE_USDT"], "MovingAverageCross": []}},
         "validation_error",
         "Unknown strategy: Nope; RSIStrategy: Invalid parameter: symbols; "
         "BollingerBands: Symbol not allowed: DOGE_USDT; MovingAverageCross: Invalid parameter: symbols"),
        ({"session_type": "backtest", "strategy_config": CONFIG, "config": []}, "invalid_parameter", "Invalid parameter: config"),
        ({"session_type": "backtest", "strategy_config": CONFIG, "config": {"bars": 0}}, "invalid_parameter", "Invalid parameter: config.bars"),
        ({"session_type": "backtest", "strategy_config": CONFIG, "config": {"bars": 1001}}, "invalid_parameter", "Invalid parameter: config.bars"),
        ({"session_type": "backtest", "strategy_config": CONFIG, "config": {"bars": True}}, "invalid_parameter", "Invalid parameter: config.bars"),
        ({"session_type": "backtest", "strategy_config": CONFIG, "config": {"bars": 2.0}}, "invalid_parameter", "Invalid parameter: config.bars"),
        ({"session_type": "backtest", "strategy_config": CONFIG, "config": {"initial_capital": -1}}, "invalid_parameter", "Invalid parameter: config.initial_capital"),
        ({"session_type": "backtest", "strategy_config": CONFIG, "config": {"initial_capital": "1"}}, "invalid_parameter", "Invalid parameter: config.initial_capital"),
        ({"session_type": "backtest", "strategy_config": CONFIG, "config": {"quantity": 0}}, "invalid_parameter", "Invalid parameter: config.quantity"),
        ({"session_type": "backtest", "strategy_config": CONFIG, "idempotent": "yes"}, "invalid_parameter", "Invalid parameter: idempotent"),
    ]
    for extra, code, text in cases:
        r = await trader.request(dict(extra, type="session_start"))
        assert_error(r, code, text)


async def test_session_permissions(server, make_client, client):
    for t in ("session_start", "session_stop", "session_status"):
        assert_error(await client.request({"type": t}), "authentication_required")
    viewer = await make_client(server)
    await viewer.login("viewer")
    r = await viewer.request({"type": "session_start", "session_type": "paper", "strategy_config": CONFIG})
    assert_error(r, "insufficient_permissions", "Permission required: trade")
    r = await viewer.request({"type": "session_start", "session_type": "LIVE", "strategy_config": CONFIG})
    assert_error(r, "insufficient_permissions", "Permission required: execute_live_trading")
    r = await viewer.request({"type": "session_stop"})
    assert_error(r, "insufficient_permissions", "Permission required: trade")
    assert (await viewer.request({"type": "session_status"}))["session"] is None


async def test_paper_session_stop_and_conflicts(trader):
    r = await trader.request({"type": "session_start", "session_type": "paper", "strategy_config": CONFIG})
    sid = r["session_id"]
    assert r["bars_total"] is None
    running = await trader.wait_for(is_update("running"))
    assert running["data"]["bars_total"] is None
    again = await trader.request({"type": "session_start", "session_type": "backtest", "strategy_config": CONFIG})
    assert_error(again, "session_conflict", "User already has an active session")
    idem = await trader.request({"type": "session_start", "session_type": "backtest", "strategy_config": CONFIG,
                                 "idempotent": True})
    assert idem["session_id"] == sid and idem["already_running"] is True and idem["session_type"] == "paper"
    st = await trader.request({"type": "session_status"})
    assert st["session"]["session_id"] == sid and st["session"]["state"] == "running"
    assert list(st["session"]) == ["session_id", "session_type", "state", "username", "strategies", "symbols",
                                   "bars_total", "bars_processed", "results"]
    stop = await trader.request({"type": "session_stop"})
    assert list(stop) == ["type", "status", "session_id", "session_type", "timestamp", "request_id"]
    assert stop["session_id"] == sid
    stopped = await trader.wait_for(is_update("stopped"))
    assert stopped["data"]["session_id"] == sid
    r = await trader.request({"type": "session_stop"})
    assert_error(r, "session_not_found", "No active session")
    r = await trader.request({"type": "session_stop", "session_id": sid})
    assert_error(r, "session_not_found", "Session is not running")
    assert r["session_id"] == sid
    r = await trader.request({"type": "session_stop", "session_id": "session_unknown"})
    assert_error(r, "session_not_found", "Session not found")
    assert r["session_id"] == "session_unknown"
    r = await trader.request({"type": "session_status", "session_id": 12})
    assert_error(r, "invalid_parameter", "Invalid parameter: session_id")
    assert r["session_id"] is None


async def test_stop_running_backtest_sends_nothing_after(trader):
    r = await trader.request({"type": "session_start", "session_type": "backtest", "strategy_config": CONFIG,
                              "config": {"bars": 1000}})
    await trader.wait_for(is_update("running"))
    stop = await trader.request({"type": "session_stop", "session_id": r["session_id"]})
    assert stop["status"] == "session_stopped"
    await trader.wait_for(is_update("stopped"))
    trader.pushed.clear()
    await asyncio.sleep(0.05)
    assert (await trader.request({"type": "ping"}))["type"] == "pong"
    assert trader.pushed == []
    st = await trader.request({"type": "session_status", "session_id": r["session_id"]})
    assert st["session"]["state"] == "stopped"


async def test_live_session_one_server_wide(server, make_client):
    t = await make_client(server)
    await t.login("trader")
    a = await make_client(server)
    await a.login("admin")
    r = await t.request({"type": "session_start", "session_type": "live", "strategy_config": CONFIG})
    assert r["status"] == "session_started"
    r2 = await a.request({"type": "session_start", "session_type": "live", "strategy_config": CONFIG})
    assert_error(r2, "session_conflict", "Another live session is already active")
    r3 = await a.request({"type": "session_start", "session_type": "paper", "strategy_config": CONFIG})
    assert r3["status"] == "session_started"
    # admin may look at and stop another user's session, a viewer may not
    st = await a.request({"type": "session_status", "session_id": r["session_id"]})
    assert st["session"]["username"] == "trader"
    v = await make_client(server)
    await v.login("viewer")
    assert_error(await v.request({"type": "session_status", "session_id": r["session_id"]}), "session_not_found")
    stop = await a.request({"type": "session_stop", "session_id": r["session_id"]})
    assert stop["status"] == "session_stopped"
    await t.wait_for(is_update("stopped"))
    r4 = await t.request({"type": "session_start", "session_type": "live", "strategy_config": CONFIG})
    assert r4["status"] == "session_started"


async def test_backtest_uses_strategy_config(admin):
    await admin.request({"type": "upsert_strategy", "strategy_name": "MovingAverageCross",
                         "config": {"short_window": 2, "long_window": 4}})
    _, fast = await run_backtest(admin, {"MovingAverageCross": ["ETH_USDT"]}, 60)
    await admin.request({"type": "upsert_strategy", "strategy_name": "MovingAverageCross", "config": {}})
    _, default = await run_backtest(admin, {"MovingAverageCross": ["ETH_USDT"]}, 60)
    assert fast["data"]["results"] != default["data"]["results"]


async def test_server_stop_during_backtest(make_server, make_client):
    server = await make_server({"bar_interval": 0.01})
    c = await make_client(server)
    await c.login("trader")
    await c.request({"type": "subscribe", "stream": "market_data"})
    await c.request({"type": "session_start", "session_type": "backtest", "strategy_config": CONFIG,
                     "config": {"bars": 1000}})
    await c.wait_for(lambda f: f["type"] == "market_data")
    await asyncio.wait_for(server.stop(), 10)
    assert server._tasks == set()
    with pytest.raises(Exception):
        while True:
            await c.recv(timeout=2)
    assert c.ws.close_code == 1001


async def test_pushed_frames_never_carry_request_id(server, make_client):
    owner = await make_client(server)
    await owner.login("trader")
    eth = await make_client(server)
    await eth.login("viewer")
    await eth.request({"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"]})
    await eth.request({"type": "subscribe", "stream": "sessions"})
    r, _ = await run_backtest(owner, bars=30)
    await eth.wait_for(is_update("completed"))
    assert owner.pushed and all("request_id" not in f for f in owner.pushed)
    md = [f for f in eth.pushed if f["type"] == "market_data"]
    assert len(md) == 30 and {f["data"]["symbol"] for f in md} == {"ETH_USDT"}
    assert all("request_id" not in f for f in eth.pushed)
    assert all(f["data"]["session_id"] == r["session_id"] for f in md)
