"""Data collections: start, stop, status, results, access control and validation."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import ask, ask_all, login, requests  # noqa: E402
from harness.scenario import scenario  # noqa: E402

QUICK = {"bar_interval": 0}


@scenario(name="collection_success", tags=["collections"], settings=QUICK)
async def collection_success(s):
    """collection_start (default 1h and strategies, then 30m with one strategy), collection_update,
    collection_status completed and results (with and without a losing trade)"""
    c1, _ = await login(s, "c1", "trader")
    first = await ask(c1, {"type": "collection_start", "symbols": ["btc_usdt", "ETH_USDT", "BTC_USDT"], "id": 1})
    await c1.recv()  # collection_update completed
    second = await ask(c1, {"type": "collection_start", "symbols": ["BTC_USDT"], "duration": "30m",
                            "strategies": ["RSIStrategy", "RSIStrategy", "MovingAverageCross"], "id": 2})
    await c1.recv()
    third = await ask(c1, {"type": "collection_start", "symbols": ["ETH_USDT"], "duration": "5m",
                           "strategies": ["BollingerBands"], "id": 3})
    await c1.recv()
    await ask_all(c1, [
        {"type": "collection_status", "collection_id": first["collection_id"], "id": 4},
        {"type": "results_request", "collection_id": first["collection_id"], "id": 5},
        {"type": "results_request", "collection_id": second["collection_id"], "id": 6},
        {"type": "results_request", "collection_id": third["collection_id"], "id": 7},
        {"type": "collection_stop", "collection_id": first["collection_id"], "id": 8},
    ])


@scenario(name="collection_duration_quirks", tags=["collections"], settings=QUICK)
async def collection_duration_quirks(s):
    """durations in minutes/hours/days: `1d` (1440 bars) is the maximum, `1h\\n` is accepted and echoed"""
    c1, _ = await login(s, "c1", "viewer")
    await ask(c1, {"type": "collection_start", "symbols": ["SOL_USDT"], "duration": "1h\n", "id": 1})
    await c1.recv()
    big = await ask(c1, {"type": "collection_start", "symbols": ["XRP_USDT", "BNB_USDT"], "duration": "1d",
                         "strategies": ["BollingerBands"], "id": 2})
    await c1.recv()
    await ask(c1, {"type": "results_request", "collection_id": big["collection_id"], "id": 3})


@scenario(name="collection_stop", tags=["collections"], settings={"bar_interval": 0.4})
async def collection_stop(s):
    """a running collection (bar_interval 0.4 s): status running, results_not_ready, stop, stop again
    (Collection is not running), status stopped; no collection_update once the bar time has passed"""
    c1, _ = await login(s, "c1", "trader")
    started = await ask(c1, {"type": "collection_start", "symbols": ["BTC_USDT"], "duration": "2m", "id": 1})
    cid = started["collection_id"]
    await ask_all(c1, [
        {"type": "collection_status", "collection_id": cid, "id": 2},
        {"type": "results_request", "collection_id": cid, "id": 3},
        {"type": "collection_stop", "collection_id": cid, "id": 4},
        {"type": "collection_stop", "collection_id": cid, "id": 5, "session_id": "s"},
        {"type": "collection_status", "collection_id": cid, "id": 6},
        {"type": "results_request", "collection_id": cid, "id": 7},
    ])
    await s.sleep(600)
    await ask(c1, {"type": "collection_status", "collection_id": cid, "id": 8})


@scenario(name="collection_access", tags=["collections", "errors", "multi_client"], settings=QUICK)
async def collection_access(s):
    """another user's collection is `Collection not found`; an admin may read it"""
    c1, _ = await login(s, "c1", "trader")
    started = await ask(c1, {"type": "collection_start", "symbols": ["ETH_USDT"], "duration": "10m", "id": 1})
    await c1.recv()
    cid = started["collection_id"]
    c2, _ = await login(s, "c2", "viewer")
    await ask_all(c2, [
        {"type": "collection_status", "collection_id": cid, "id": 2},
        {"type": "results_request", "collection_id": cid, "id": 3},
        {"type": "collection_stop", "collection_id": cid, "id": 4},
    ])
    c3, _ = await login(s, "c3", "admin")
    await ask_all(c3, [
        {"type": "collection_status", "collection_id": cid, "id": 5},
        {"type": "results_request", "collection_id": cid, "id": 6},
    ])


requests("collection_errors", "collection errors: auth, symbols, duration, strategies, collection_id checks",
         ["collections", "errors"], [
    {"type": "collection_start", "symbols": ["BTC_USDT"], "id": 1},
    {"type": "collection_stop", "collection_id": "x", "id": 2},
    {"type": "collection_status", "collection_id": "x", "id": 3},
    {"type": "results_request", "collection_id": "x", "id": 4},
    {"type": "login", "username": "viewer", "password": "viewer123"},
    {"type": "collection_start", "id": 5},
    {"type": "collection_start", "symbols": None, "id": 6},
    {"type": "collection_start", "symbols": [], "id": 7},
    {"type": "collection_start", "symbols": "BTC_USDT", "id": 8},
    {"type": "collection_start", "symbols": ["BTCUSDT"], "id": 9},
    {"type": "collection_start", "symbols": ["ADA_USDT"], "id": 10},
    *[{"type": "collection_start", "symbols": ["BTC_USDT"], "duration": d, "id": f"duration-{n}"}
      for n, d in enumerate([5, "0m", "25h", "2d", "abc", "1H", "10000m", "", "01h", "1w"])],
    *[{"type": "collection_start", "symbols": ["BTC_USDT"], "strategies": st, "id": f"strategies-{n}"}
      for n, st in enumerate(["RSIStrategy", [], ["Martingale"], ["RSIStrategy", 5], {"a": 1}])],
    {"type": "collection_stop", "id": 11},
    {"type": "collection_status", "collection_id": None, "id": 12},
    {"type": "results_request", "collection_id": 42, "id": 13},
    {"type": "collection_status", "collection_id": ["x"], "id": 14},
    {"type": "collection_stop", "collection_id": "collection_0000000000000000", "id": 15},
    {"type": "results_request", "collection_id": "collection_0000000000000000", "id": 16, "session_id": "q"},
], user=None)
