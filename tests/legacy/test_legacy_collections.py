"""Data collections and their results."""

import pytest

from legacy_support import assert_error


def completed(cid):
    return lambda f: f["type"] == "collection_update" and f["data"]["collection_id"] == cid


async def start(client, **msg):
    r = await client.request(dict({"type": "collection_start", "symbols": ["BTC_USDT", "ETH_USDT"]}, **msg))
    assert r["status"] == "collection_started", r
    return r


async def test_collection_lifecycle(trader):
    r = await start(trader, duration="30m")
    assert list(r) == ["type", "status", "collection_id", "symbols", "strategies", "duration", "bars_total",
                       "timestamp", "request_id"]
    assert r["strategies"] == ["MovingAverageCross", "RSIStrategy", "BollingerBands"] and r["bars_total"] == 30
    cid = r["collection_id"]
    update = await trader.wait_for(completed(cid))
    assert update["data"] == {"collection_id": cid, "status": "completed", "bars_total": 30}
    st = await trader.request({"type": "collection_status", "collection_id": cid})
    assert st["state"] == "completed"
    assert list(st) == ["type", "status", "collection_id", "state", "symbols", "strategies", "duration",
                        "bars_total", "timestamp", "request_id"]
    res = await trader.request({"type": "results_request", "collection_id": cid})
    assert res["status"] == "results"
    results = res["results"]
    assert list(results) == ["aggregates", "per_strategy", "symbol_counts", "performance"]
    assert results["aggregates"]["total_bars"] == 60
    assert list(results["per_strategy"]) == r["strategies"]
    assert results["symbol_counts"]["BTC_USDT"]["bars"] == 30
    assert sum(s["signals"] for s in results["per_strategy"].values()) == results["aggregates"]["total_signals"]
    assert sum(s["signals"] for s in results["symbol_counts"].values()) == results["aggregates"]["total_signals"]
    assert list(results["performance"]) == ["realized_pnl", "win_rate", "max_drawdown", "profit_factor"]
    r2 = await trader.request({"type": "collection_stop", "collection_id": cid})
    assert_error(r2, "collection_not_found", "Collection is not running")


async def test_collection_results_deterministic(trader):
    outs = []
    for _ in range(2):
        r = await start(trader, duration="2h", strategies=["RSIStrategy", "BollingerBands", "RSIStrategy"])
        assert r["strategies"] == ["RSIStrategy", "BollingerBands"] and r["bars_total"] == 120
        await trader.wait_for(completed(r["collection_id"]))
        outs.append((await trader.request({"type": "results_request", "collection_id": r["collection_id"]}))["results"])
    assert outs[0] == outs[1]
    assert outs[0]["aggregates"]["total_signals"] > 0


async def test_default_duration_and_stop(make_server, make_client):
    server = await make_server({"bar_interval": 0.05})
    c = await make_client(server)
    await c.login("viewer")
    r = await c.request({"type": "collection_start", "symbols": ["sol_usdt"]})
    assert r["duration"] == "1h" and r["bars_total"] == 60 and r["symbols"] == ["SOL_USDT"]
    cid = r["collection_id"]
    st = await c.request({"type": "collection_status", "collection_id": cid})
    assert st["state"] == "running"
    assert_error(await c.request({"type": "results_request", "collection_id": cid}), "results_not_ready", "Results not ready")
    stop = await c.request({"type": "collection_stop", "collection_id": cid})
    assert list(stop) == ["type", "status", "collection_id", "timestamp", "request_id"]
    st = await c.request({"type": "collection_status", "collection_id": cid})
    assert st["state"] == "stopped"
    assert_error(await c.request({"type": "results_request", "collection_id": cid}), "results_not_ready")


async def test_collection_ownership(server, make_client):
    a = await make_client(server)
    await a.login("trader")
    b = await make_client(server)
    await b.login("viewer")
    adm = await make_client(server)
    await adm.login("admin")
    r = await start(a)
    cid = r["collection_id"]
    for t in ("collection_status", "collection_stop", "results_request"):
        assert_error(await b.request({"type": t, "collection_id": cid}), "collection_not_found", "Collection not found")
    assert (await adm.request({"type": "collection_status", "collection_id": cid}))["status"] == "collection_status"


@pytest.mark.parametrize("msg,code,text", [
    ({}, "missing_parameters", "Required: symbols"),
    ({"symbols": []}, "invalid_parameter", "Invalid parameter: symbols"),
    ({"symbols": "BTC_USDT"}, "invalid_parameter", "Invalid parameter: symbols"),
    ({"symbols": ["nope"]}, "invalid_parameter", "Invalid symbol format"),
    ({"symbols": ["ABC_USDT"]}, "invalid_parameter", "Symbol not allowed: ABC_USDT"),
    ({"symbols": ["BTC_USDT"], "duration": "2d"}, "invalid_parameter", "Invalid parameter: duration"),
    ({"symbols": ["BTC_USDT"], "duration": "0m"}, "invalid_parameter", "Invalid parameter: duration"),
    ({"symbols": ["BTC_USDT"], "duration": "1w"}, "invalid_parameter", "Invalid parameter: duration"),
    ({"symbols": ["BTC_USDT"], "duration": 60}, "invalid_parameter", "Invalid parameter: duration"),
    ({"symbols": ["BTC_USDT"], "duration": "1441m"}, "invalid_parameter", "Invalid parameter: duration"),
    ({"symbols": ["BTC_USDT"], "strategies": []}, "invalid_parameter", "Invalid parameter: strategies"),
    ({"symbols": ["BTC_USDT"], "strategies": "RSIStrategy"}, "invalid_parameter", "Invalid parameter: strategies"),
    ({"symbols": ["BTC_USDT"], "strategies": ["Nope"]}, "invalid_parameter", "Unknown strategy"),
    ({"symbols": ["BTC_USDT"], "strategies": [1]}, "invalid_parameter", "Unknown strategy"),
])
async def test_collection_start_errors(trader, msg, code, text):
    assert_error(await trader.request(dict(msg, type="collection_start")), code, text)


async def test_collection_id_errors(trader, client):
    for t in ("collection_start", "collection_stop", "collection_status", "results_request"):
        assert_error(await client.request({"type": t}), "authentication_required")
    for t in ("collection_stop", "collection_status", "results_request"):
        assert_error(await trader.request({"type": t}), "missing_parameters", "Required: collection_id")
        assert_error(await trader.request({"type": t, "collection_id": 5}), "invalid_parameter",
                     "Invalid parameter: collection_id")
        assert_error(await trader.request({"type": t, "collection_id": "x"}), "collection_not_found",
                     "Collection not found")


async def test_full_day_collection(trader):
    r = await start(trader, duration="1d", symbols=["XRP_USDT"], strategies=["BollingerBands"])
    assert r["bars_total"] == 1440
    await trader.wait_for(completed(r["collection_id"]), timeout=30)
    res = (await trader.request({"type": "results_request", "collection_id": r["collection_id"]}))["results"]
    assert res["symbol_counts"]["XRP_USDT"]["bars"] == 1440
