"""Stream subscriptions: subscribe / unsubscribe and symbol validation."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import requests  # noqa: E402

requests("subscribe_success", "subscribe to every stream; symbols upper-cased, duplicates dropped, null/empty = all",
         ["subscriptions"], [
    {"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt", "ETH_USDT", "Btc_Usdt"], "id": 1},
    {"type": "subscribe", "stream": "indicators", "symbols": None, "id": 2},
    {"type": "subscribe", "stream": "orders", "symbols": [], "id": 3},
    {"type": "subscribe", "stream": "positions"},
    {"type": "subscribe", "stream": "account", "id": 5},
    {"type": "subscribe", "stream": "sessions", "symbols": ["xrp_usdt"], "id": 6},
], user="viewer")

requests("subscribe_errors", "subscribe errors: authentication_required, missing/null/unknown stream, "
         "bad symbols, already_subscribed", ["subscriptions", "errors"], [
    {"type": "subscribe", "stream": "market_data", "id": 1},
    {"type": "login", "username": "viewer", "password": "viewer123"},
    {"type": "subscribe", "id": 2},
    {"type": "subscribe", "stream": None, "id": 3},
    {"type": "subscribe", "stream": "weather", "id": 4},
    {"type": "subscribe", "stream": 5, "id": 5},
    {"type": "subscribe", "stream": "MARKET_DATA", "id": 6},
    {"type": "subscribe", "stream": "market_data", "symbols": "BTC_USDT", "id": 7},
    {"type": "subscribe", "stream": "market_data", "symbols": ["BTC-USDT"], "id": 8},
    {"type": "subscribe", "stream": "market_data", "symbols": ["DOGE_USDT"], "id": 9},
    {"type": "subscribe", "stream": "market_data", "symbols": ["BTC_USDT", 7], "id": 10},
    {"type": "subscribe", "stream": "market_data", "symbols": ["A" * 30 + "_B"], "id": 11},
    {"type": "subscribe", "stream": "market_data", "symbols": ["a" * 20 + "_" + "b" * 20], "id": 12},
    {"type": "subscribe", "stream": "market_data", "symbols": ["\u00dftc_usdt"], "id": 13},
    {"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt\n"], "id": 14},
    {"type": "subscribe", "stream": "market_data", "symbols": ["\u0431tc_usdt"], "id": 15},
    {"type": "subscribe", "stream": "market_data", "symbols": ["DOGE_USDT", "BTC-USDT"], "session_id": "x"},
    {"type": "subscribe", "stream": "market_data", "id": 16},
    {"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"], "id": 17},
], user=None)

requests("unsubscribe", "unsubscribe success and errors: authentication_required, missing/unknown stream, not_subscribed",
         ["subscriptions", "errors"], [
    {"type": "unsubscribe", "stream": "orders", "id": 1},
    {"type": "login", "username": "trader", "password": "trader123"},
    {"type": "subscribe", "stream": "orders", "symbols": ["sol_usdt"]},
    {"type": "unsubscribe", "id": 2},
    {"type": "unsubscribe", "stream": None, "id": 3},
    {"type": "unsubscribe", "stream": "weather", "id": 4},
    {"type": "unsubscribe", "stream": ["orders"], "id": 5},
    {"type": "unsubscribe", "stream": "positions", "id": 6},
    {"type": "unsubscribe", "stream": "orders", "id": 7},
    {"type": "unsubscribe", "stream": "orders", "id": 8},
    {"type": "subscribe", "stream": "orders", "id": 9},
], user=None)
