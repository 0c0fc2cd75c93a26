"""What the wire protocol names: the server's version and features, streams, symbols, session types.

Each fact is defined here once; handlers, checks and the stats report read it from here.
"""

from __future__ import annotations

SERVER_VERSION = "2.0.0"
PROTOCOL_VERSION = "1.0"
SERVER_NAME = "legacy-trading-websocket-api"
FEATURES = ("reconnect", "heartbeat", "subscriptions")
SESSION_TYPES = ("backtest", "paper", "live")
STREAMS = ("market_data", "indicators", "orders", "positions", "account", "sessions")
CRITICAL_STREAMS = frozenset({"orders", "positions"})
ALLOWED_SYMBOLS = ("BTC_USDT", "ETH_USDT", "SOL_USDT", "BNB_USDT", "XRP_USDT")
