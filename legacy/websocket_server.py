"""
WebSocket API server for the trading back end.

Serves the JSON-over-WebSocket API: authentication (JWT), stream subscriptions,
trading sessions (backtest / paper / live), data collections and strategy
management, with reconnect support, rate limiting and connection limits.

Everything lives in this module: the rate limiter, the LRU cache, the session
persistence, the embedded user store, the strategy catalogue and the simulated
trading controller.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import math
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import jwt
import websockets
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed


SERVER_VERSION = "2.0.0"
PROTOCOL_VERSION = "1.0"
SERVER_NAME = "legacy-trading-websocket-api"
FEATURES = ["reconnect", "heartbeat", "subscriptions"]

DEFAULT_JWT_SECRET = "legacy-development-jwt-secret-change-me-in-production"

STREAMS = ["market_data", "indicators", "orders", "positions", "account", "sessions"]
CRITICAL_STREAMS = ["orders", "positions"]
SESSION_TYPES = ["backtest", "paper", "live"]
ALLOWED_SYMBOLS = ["BTC_USDT", "ETH_USDT", "SOL_USDT", "BNB_USDT", "XRP_USDT"]
SYMBOL_PATTERN = re.compile(r"^[A-Z0-9]+_[A-Z0-9]+$")
MAX_SYMBOL_LENGTH = 32
DURATION_PATTERN = re.compile(r"^([1-9][0-9]{0,3})([mhd])$")
MAX_JSON_DEPTH = 64

BASE_PRICES = {
    "BTC_USDT": 30000.0,
    "ETH_USDT": 2000.0,
    "SOL_USDT": 100.0,
    "BNB_USDT": 300.0,
    "XRP_USDT": 0.5,
}

MESSAGE_TYPES = [
    "ping", "heartbeat", "echo", "version", "capabilities", "server_time", "handshake", "command",
    "auth", "login", "logout", "refresh_token", "reconnect",
    "subscribe", "unsubscribe",
    "session_start", "session_stop", "session_status",
    "collection_start", "collection_stop", "collection_status", "results_request",
    "get_strategies", "activate_strategy", "deactivate_strategy", "strategy_status",
    "validate_strategy_config", "upsert_strategy",
]

COMMANDS = ["get_stats", "health_check"]

USER_PERMISSIONS = {
    "admin": ["read", "trade", "execute_live_trading", "admin", "manage_strategies"],
    "trader": ["read", "trade", "execute_live_trading"],
    "viewer": ["read"],
}

DEFAULT_PASSWORDS = {
    "admin": "admin123",
    "trader": "trader123",
    "viewer": "viewer123",
}

STRATEGY_CATALOGUE = {
    "MovingAverageCross": {
        "description": "Buys when the short moving average crosses above the long one, sells on the cross below",
        "config_schema": {
            "short_window": {"type": "integer", "min": 2, "max": 50, "default": 5},
            "long_window": {"type": "integer", "min": 3, "max": 200, "default": 10},
        },
    },
    "RSIStrategy": {
        "description": "Buys when the relative strength index falls below oversold, sells above overbought",
        "config_schema": {
            "period": {"type": "integer", "min": 2, "max": 100, "default": 14},
            "oversold": {"type": "number", "min": 0.0, "max": 100.0, "default": 30.0},
            "overbought": {"type": "number", "min": 0.0, "max": 100.0, "default": 70.0},
        },
    },
    "BollingerBands": {
        "description": "Buys below the lower band, sells above the upper band",
        "config_schema": {
            "period": {"type": "integer", "min": 2, "max": 100, "default": 10},
            "num_std": {"type": "number", "min": 0.1, "max": 10.0, "default": 1.5},
        },
    },
}


def _utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def _reject_constant(value):
    raise ValueError("JSON constant not allowed: " + value)


def _parse_finite_float(value):
    result = float(value)
    if math.isinf(result) or math.isnan(result):
        raise ValueError("number out of range")
    return result


def _json_depth(value) -> int:
    """Nesting depth of a parsed JSON value (scalars are depth 0)."""
    depth = 0
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            level += 1
            depth = max(depth, level)
            if depth > MAX_JSON_DEPTH:
                return depth
            for child in item.values():
                stack.append((child, level))
        elif isinstance(item, list):
            level += 1
            depth = max(depth, level)
            if depth > MAX_JSON_DEPTH:
                return depth
            for child in item:
                stack.append((child, level))
    return depth


class RateLimitEntry:
    """Message counter of one client IP within the current window."""

    def __init__(self, window_start: float):
        self.window_start = window_start
        self.count = 0


class RateLimiter:
    """Fixed-window rate limiter keyed by client IP."""

    def __init__(self, max_messages: int = 100, window_seconds: float = 60.0):
        self.max_messages = max_messages
        self.window_seconds = window_seconds
        self.entries: Dict[str, RateLimitEntry] = {}

    def check_message_limit(self, key: str) -> bool:
        now = time.monotonic()
        entry = self.entries.get(key)
        if entry is None or now - entry.window_start >= self.window_seconds:
            entry = RateLimitEntry(now)
            self.entries[key] = entry
        entry.count += 1
        return entry.count <= self.max_messages

    def reset(self):
        self.entries.clear()


class LRUCache:
    """Small least-recently-used cache."""

    def __init__(self, maxsize: int = 1000):
        self.maxsize = maxsize
        self._data: "OrderedDict[Any, Any]" = OrderedDict()

    def get(self, key, default=None):
        if key in self._data:
            self._data.move_to_end(key)
            return self._data[key]
        return default

    def put(self, key, value):
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def pop(self, key, default=None):
        return self._data.pop(key, default)

    def __contains__(self, key):
        return key in self._data

    def __len__(self):
        return len(self._data)

    def clear(self):
        self._data.clear()


class SimulatedTradingController:
    """Deterministic simulated market and strategy engine.

    Prices are a pure function of symbol and bar index; strategies trade
    long-only, one unit of ``quantity`` per position.
    """

    def __init__(self):
        self.name = "simulated"

    # --- prices -----------------------------------------------------------
    def close_price(self, symbol: str, index: int) -> float:
        seed = sum(ord(ch) for ch in symbol)
        phase = (index + seed) % 20
        tri = phase if phase <= 10 else 20 - phase
        trend = ((index + seed) // 20) % 3
        return round(BASE_PRICES.get(symbol, 100.0) * (95 + tri + trend) / 100, 6)

    def price_bar(self, symbol: str, index: int) -> Dict[str, Any]:
        seed = sum(ord(ch) for ch in symbol)
        close = self.close_price(symbol, index)
        open_ = self.close_price(symbol, index - 1)
        return {
            "symbol": symbol,
            "bar": index,
            "open": open_,
            "high": round(max(open_, close) * 1.001, 6),
            "low": round(min(open_, close) * 0.999, 6),
            "close": close,
            "volume": float(100 + (7 * index + seed) % 50),
        }

    # --- signals ----------------------------------------------------------
    def signal(self, strategy: str, config: Dict[str, Any], closes: List[float]) -> Optional[str]:
        n = len(closes)
        if strategy == "MovingAverageCross":
            s = config["short_window"]
            l = config["long_window"]
            if n < l + 1:
                return None
            short_now = sum(closes[-s:]) / s
            long_now = sum(closes[-l:]) / l
            short_prev = sum(closes[-s - 1:-1]) / s
            long_prev = sum(closes[-l - 1:-1]) / l
            if short_prev <= long_prev and short_now > long_now:
                return "buy"
            if short_prev >= long_prev and short_now < long_now:
                return "sell"
            return None
        elif strategy == "RSIStrategy":
            p = config["period"]
            if n < p + 1:
                return None
            changes = [closes[k] - closes[k - 1] for k in range(n - p, n)]
            gains = sum(c for c in changes if c > 0)
            losses = sum(-c for c in changes if c < 0)
            if losses == 0:
                rsi = 100.0
            else:
                rsi = 100.0 - 100.0 / (1.0 + gains / losses)
            if rsi < config["oversold"]:
                return "buy"
            if rsi > config["overbought"]:
                return "sell"
            return None
        elif strategy == "BollingerBands":
            p = config["period"]
            if n < p:
                return None
            window = closes[-p:]
            mean = sum(window) / p
            var = sum((x - mean) ** 2 for x in window) / p
            std = math.sqrt(var)
            c = closes[-1]
            if c < mean - config["num_std"] * std:
                return "buy"
            if c > mean + config["num_std"] * std:
                return "sell"
            return None
        return None

    def new_simulation(self, pairs, configs, quantity: float) -> Dict[str, Any]:
        """pairs: list of (strategy, symbol) in evaluation order."""
        symbols = []
        for _, sym in pairs:
            if sym not in symbols:
                symbols.append(sym)
        return {
            "pairs": list(pairs),
            "configs": configs,
            "quantity": quantity,
            "symbols": symbols,
            "closes": {sym: [] for sym in symbols},
            "positions": {},
            "orders": 0,
            "trades": [],
            "per_strategy": {},
            "bars": 0,
        }

    def step(self, sim: Dict[str, Any], index: int) -> List[Dict[str, Any]]:
        """Advance one bar; returns events in emission order."""
        events = []
        for sym in sim["symbols"]:
            bar = self.price_bar(sym, index)
            sim["closes"][sym].append(bar["close"])
            events.append({"kind": "market_data", "bar": bar})
        for strategy, sym in sim["pairs"]:
            closes = sim["closes"][sym]
            sig = self.signal(strategy, sim["configs"].get(strategy, {}), closes)
            key = (strategy, sym)
            pos = sim["positions"].get(key)
            stats = sim["per_strategy"].setdefault(strategy, {"orders": 0, "closed_trades": 0, "winning_trades": 0, "realized_pnl": 0.0})
            price = closes[-1]
            if sig == "buy" and pos is None:
                sim["positions"][key] = {"entry_price": price, "realized_pnl": 0.0}
                sim["orders"] += 1
                stats["orders"] += 1
                events.append({"kind": "order", "strategy": strategy, "symbol": sym, "side": "buy", "price": price, "order_no": sim["orders"]})
                events.append({"kind": "position", "strategy": strategy, "symbol": sym, "quantity": sim["quantity"], "entry_price": price})
            elif sig == "sell" and pos is not None:
                pnl = (price - pos["entry_price"]) * sim["quantity"]
                del sim["positions"][key]
                sim["orders"] += 1
                stats["orders"] += 1
                stats["closed_trades"] += 1
                if pnl > 0:
                    stats["winning_trades"] += 1
                stats["realized_pnl"] += pnl
                sim["trades"].append({"strategy": strategy, "symbol": sym, "pnl": pnl})
                events.append({"kind": "order", "strategy": strategy, "symbol": sym, "side": "sell", "price": price, "order_no": sim["orders"]})
                events.append({"kind": "position", "strategy": strategy, "symbol": sym, "quantity": 0.0, "entry_price": None})
        sim["bars"] = index + 1
        return events

    def backtest_results(self, sim: Dict[str, Any], initial_capital: float) -> Dict[str, Any]:
        total = 0.0
        winning = 0
        losing = 0
        for trade in sim["trades"]:
            total += trade["pnl"]
            if trade["pnl"] > 0:
                winning += 1
            elif trade["pnl"] < 0:
                losing += 1
        per_strategy = {}
        for strategy, _ in sim["pairs"]:
            if strategy in per_strategy:
                continue
            stats = sim["per_strategy"].get(strategy, {"orders": 0, "closed_trades": 0, "realized_pnl": 0.0})
            per_strategy[strategy] = {
                "orders": stats["orders"],
                "closed_trades": stats["closed_trades"],
                "realized_pnl": round(stats["realized_pnl"], 4),
            }
        return {
            "bars_processed": sim["bars"],
            "orders": sim["orders"],
            "closed_trades": len(sim["trades"]),
            "winning_trades": winning,
            "losing_trades": losing,
            "open_positions": len(sim["positions"]),
            "realized_pnl": round(total, 4),
            "final_equity": round(initial_capital + total, 4),
            "per_strategy": per_strategy,
        }

    def collection_results(self, symbols, strategies, configs, bars: int) -> Dict[str, Any]:
        pairs = [(strategy, sym) for strategy in strategies for sym in symbols]
        sim = self.new_simulation(pairs, configs, 1.0)
        signal_counts = {strategy: {"buy": 0, "sell": 0} for strategy in strategies}
        symbol_signals = {sym: 0 for sym in symbols}
        for i in range(bars):
            for event in self.step(sim, i):
                if event["kind"] == "order":
                    signal_counts[event["strategy"]][event["side"]] += 1
                    symbol_signals[event["symbol"]] += 1
        per_strategy = {}
        for strategy in strategies:
            stats = sim["per_strategy"].get(strategy, {"closed_trades": 0, "winning_trades": 0, "realized_pnl": 0.0})
            buys = signal_counts[strategy]["buy"]
            sells = signal_counts[strategy]["sell"]
            per_strategy[strategy] = {
                "signals": buys + sells,
                "buy_signals": buys,
                "sell_signals": sells,
                "closed_trades": stats["closed_trades"],
                "winning_trades": stats["winning_trades"],
                "realized_pnl": round(stats["realized_pnl"], 4),
            }
        symbol_counts = {}
        for sym in symbols:
            closes = sim["closes"][sym]
            symbol_counts[sym] = {
                "bars": len(closes),
                "signals": symbol_signals[sym],
                "first_close": closes[0] if closes else None,
                "last_close": closes[-1] if closes else None,
                "min_close": min(closes) if closes else None,
                "max_close": max(closes) if closes else None,
            }
        total_buys = sum(v["buy"] for v in signal_counts.values())
        total_sells = sum(v["sell"] for v in signal_counts.values())
        cumulative = 0.0
        peak = 0.0
        max_drawdown = 0.0
        gross_profit = 0.0
        gross_loss = 0.0
        winning = 0
        for trade in sim["trades"]:
            cumulative += trade["pnl"]
            if cumulative > peak:
                peak = cumulative
            if peak - cumulative > max_drawdown:
                max_drawdown = peak - cumulative
            if trade["pnl"] > 0:
                gross_profit += trade["pnl"]
                winning += 1
            elif trade["pnl"] < 0:
                gross_loss += -trade["pnl"]
        closed = len(sim["trades"])
        return {
            "aggregates": {
                "total_bars": bars * len(symbols),
                "total_signals": total_buys + total_sells,
                "buy_signals": total_buys,
                "sell_signals": total_sells,
                "closed_trades": closed,
            },
            "per_strategy": per_strategy,
            "symbol_counts": symbol_counts,
            "performance": {
                "realized_pnl": round(cumulative, 4),
                "win_rate": round(winning / closed, 4) if closed else 0.0,
                "max_drawdown": round(max_drawdown, 4),
                "profit_factor": round(gross_profit / gross_loss, 4) if gross_loss > 0 else None,
            },
        }


class WebSocketAPIServer:
    """WebSocket API server for the trading back end."""

    def __init__(self, event_bus=None, logger=None, settings=None, host="localhost", port=8080,
                 jwt_secret=None, max_connections=1000, heartbeat_interval=30, controller=None):
        self.event_bus = event_bus
        self.logger = logger if logger is not None else logging.getLogger("legacy.websocket_server")
        self.settings = dict(settings or {})
        self.host = host
        self.port = port
        self._requested_port = port
        self.jwt_secret = jwt_secret or DEFAULT_JWT_SECRET
        self.max_connections = max_connections
        self.heartbeat_interval = heartbeat_interval
        self.controller = controller if controller is not None else SimulatedTradingController()

        # settings
        self.max_message_size = int(self.settings.get("max_message_size", 1048576))
        self.rate_limit = int(self.settings.get("rate_limit", 100))
        self.rate_window = float(self.settings.get("rate_window", 60))
        self.session_ttl = float(self.settings.get("session_ttl", 3600))
        self.lockout_threshold = int(self.settings.get("lockout_threshold", 5))
        self.lockout_seconds = float(self.settings.get("lockout_seconds", 300))
        self.access_token_ttl = int(self.settings.get("access_token_ttl", 3600))
        self.refresh_token_ttl = int(self.settings.get("refresh_token_ttl", 86400))
        self.bar_interval = float(self.settings.get("bar_interval", 0.01))
        self.queue_limit = int(self.settings.get("queue_limit", 1000))
        self.environment = self.settings.get("environment", "development")
        self.strategies_dir = self.settings.get("strategies_dir")
        self._owns_strategies_dir = False

        # embedded user store
        passwords = dict(DEFAULT_PASSWORDS)
        passwords.update(self.settings.get("passwords") or {})
        self.users: Dict[str, Dict[str, Any]] = {}
        for username, permissions in USER_PERMISSIONS.items():
            self.users[username] = {
                "username": username,
                "password": passwords.get(username, DEFAULT_PASSWORDS[username]),
                "permissions": list(permissions),
            }
        self.failed_login_attempts = LRUCache(maxsize=10000)
        self.locked_accounts: Dict[str, float] = {}
        self.revoked_refresh_tokens = LRUCache(maxsize=10000)

        # connection state
        self.server = None
        self._running = False
        self._stopping = False
        self._start_time: Optional[float] = None
        self.connections: Dict[str, Dict[str, Any]] = {}
        self._pending_handshakes: Dict[int, str] = {}
        self.rate_limiter = RateLimiter(self.rate_limit, self.rate_window)
        self.message_handlers: Dict[str, Any] = {}

        # session persistence (reconnect support)
        self.client_session_persistence: Dict[str, Dict[str, Any]] = {}
        self.session_persistence_ttl: Dict[str, float] = {}
        self.issued_reconnect_tokens: Dict[str, str] = {}
        self.delivered_message_ids: Dict[str, LRUCache] = {}

        # trading state
        self.trading_sessions: Dict[str, Dict[str, Any]] = {}
        self.collections: Dict[str, Dict[str, Any]] = {}
        self.strategy_configs: Dict[str, Dict[str, Any]] = {}
        self.custom_strategies: Dict[str, Dict[str, Any]] = {}
        self.active_strategies: Dict[str, List[str]] = {}
        self._broadcast_seq = 0
        self._tasks: set = set()
        self._cleanup_task = None
        self._lifecycle_lock = asyncio.Lock()
        self._reset_strategy_state()

        self.stats = {
            "messages_received": 0,
            "messages_sent": 0,
            "messages_processed": 0,
            "errors_sent": 0,
            "rate_limited": 0,
            "connections_accepted": 0,
            "connections_rejected": 0,
            "reconnections": 0,
        }

        self._register_message_handlers()

    # ------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------
    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await self.stop()
        return False

    async def start(self):
        async with self._lifecycle_lock:
            await self._start_locked()

    async def _start_locked(self):
        if self._running:
            return
        self._stopping = False
        if not self.settings.get("strategies_dir"):
            self.strategies_dir = tempfile.mkdtemp(prefix="legacy-strategies-")
            self._owns_strategies_dir = True
        else:
            self.strategies_dir = self.settings.get("strategies_dir")
            os.makedirs(self.strategies_dir, exist_ok=True)
        ping_interval = self.heartbeat_interval if self.heartbeat_interval and self.heartbeat_interval > 0 else None
        self.server = await serve(
            self._handle_connection,
            self.host,
            self._requested_port,
            process_request=self._process_request,
            max_size=self.max_message_size,
            ping_interval=ping_interval,
            ping_timeout=ping_interval,
            logger=logging.getLogger("legacy.websocket_server.protocol"),
        )
        sockets = list(self.server.sockets or [])
        if sockets:
            # prefer the IPv4 socket: with port 0 every address family gets its own port
            ipv4 = [sock for sock in sockets if sock.family == socket.AF_INET]
            self.port = (ipv4 or sockets)[0].getsockname()[1]
        self._start_time = time.time()
        self._running = True
        self._cleanup_task = asyncio.create_task(self._cleanup_loop())
        self.logger.info(f"WebSocket API server listening on ws://{self.host}:{self.port}")

    async def stop(self):
        async with self._lifecycle_lock:
            await self._stop_locked()

    async def _stop_locked(self):
        if not self._running and self.server is None:
            return
        self._stopping = True
        self._running = False
        tasks = list(self._tasks)
        if self._cleanup_task is not None:
            tasks.append(self._cleanup_task)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._cleanup_task = None
        for session in self.trading_sessions.values():
            if session["state"] == "running":
                session["state"] = "stopped"
        for collection in self.collections.values():
            if collection["state"] == "running":
                collection["state"] = "stopped"
        if self.server is not None:
            self.server.close()
            try:
                await asyncio.wait_for(self.server.wait_closed(), timeout=10)
            except asyncio.TimeoutError:
                self.logger.warning("WebSocket server did not close in time")
            self.server = None
        self.connections.clear()
        self._pending_handshakes.clear()
        self.client_session_persistence.clear()
        self.session_persistence_ttl.clear()
        self.issued_reconnect_tokens.clear()
        self.delivered_message_ids.clear()
        self.trading_sessions.clear()
        self.collections.clear()
        self.rate_limiter.reset()
        self._reset_strategy_state()
        if self._owns_strategies_dir and self.strategies_dir:
            shutil.rmtree(self.strategies_dir, ignore_errors=True)
            self._owns_strategies_dir = False
        self.logger.info("WebSocket API server stopped")

    def _reset_strategy_state(self):
        self.strategy_configs = {}
        for name, entry in STRATEGY_CATALOGUE.items():
            self.strategy_configs[name] = {k: v["default"] for k, v in entry["config_schema"].items()}
        self.custom_strategies = {}
        self.active_strategies = {}

    def _spawn(self, coro):
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task):
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.logger.error(f"Background task failed: {type(exc).__name__}")

    async def _cleanup_loop(self):
        interval = self.heartbeat_interval if self.heartbeat_interval and self.heartbeat_interval > 0 else 30
        interval = min(interval, 60)
        while True:
            try:
                await asyncio.sleep(interval)
                self.cleanup_expired_client_sessions()
                now = time.time()
                for username, until in list(self.locked_accounts.items()):
                    if until <= now:
                        self.locked_accounts.pop(username, None)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                self.logger.warning(f"Session cleanup failed: {type(e).__name__}")

    def cleanup_expired_client_sessions(self) -> int:
        now = time.time()
        expired = [cid for cid, expiry in self.session_persistence_ttl.items() if now >= expiry]
        for cid in expired:
            self.client_session_persistence.pop(cid, None)
            self.session_persistence_ttl.pop(cid, None)
            self.issued_reconnect_tokens.pop(cid, None)
            self.delivered_message_ids.pop(cid, None)
        return len(expired)

    # ------------------------------------------------------------------
    # connections
    # ------------------------------------------------------------------
    def _generate_client_id(self) -> str:
        return "client_" + secrets.token_hex(8)

    def _generate_reconnect_token(self, client_id: str) -> str:
        token = hashlib.sha256(f"{client_id}:{time.time()}:{secrets.token_hex(4)}".encode()).hexdigest()[:20]
        reconnect_token = f"{client_id}:{token}"
        self.issued_reconnect_tokens[client_id] = reconnect_token
        return reconnect_token

    def _process_request(self, connection, request):
        # Register the connection as early as possible so that it shows up in the stats.
        client_id = self._generate_client_id()
        remote = connection.remote_address
        self.connections[client_id] = {
            "client_id": client_id,
            "state": "connecting",
            "websocket": connection,
            "remote_ip": remote[0] if remote else "unknown",
            "connected_at": time.time(),
            "authenticated": False,
            "username": None,
            "permissions": [],
            "subscriptions": {},
            "messages_received": 0,
            "last_heartbeat": None,
            "post_reply": [],
        }
        self._pending_handshakes[id(connection)] = client_id
        return None

    def _connected_count(self) -> int:
        return sum(1 for c in self.connections.values() if c["state"] in ("connected", "reconnecting"))

    async def _handle_connection(self, websocket):
        client_id = self._pending_handshakes.pop(id(websocket), None)
        conn = self.connections.get(client_id) if client_id else None
        if conn is None:
            self._process_request(websocket, None)
            client_id = self._pending_handshakes.pop(id(websocket))
            conn = self.connections[client_id]
        try:
            if self._connected_count() >= self.max_connections or self._stopping:
                self.stats["connections_rejected"] += 1
                conn["state"] = "disconnecting"
                self.logger.warning(f"Connection limit reached ({self.max_connections}), rejecting {client_id}")
                try:
                    await websocket.close(1013, "Maximum connections exceeded")
                except Exception:
                    pass
                return
            self.stats["connections_accepted"] += 1
            restored = None
            header_token = None
            try:
                header_token = websocket.request.headers.get("X-Reconnect-Token")
            except Exception:
                header_token = None
            if header_token:
                restored = self._restore_client_session(header_token)
            if restored is not None:
                old_client_id, session_data = restored
                self.connections.pop(client_id, None)
                client_id = old_client_id
                conn["client_id"] = client_id
                self.connections[client_id] = conn
                self._apply_restored_session(conn, session_data)
                conn["state"] = "reconnecting"
                self.stats["reconnections"] += 1
                welcome = {
                    "type": "status",
                    "status": "reconnected",
                    "client_id": client_id,
                    "reconnect_token": self._generate_reconnect_token(client_id),
                    "server_time": _utc_now_iso(),
                    "features": list(FEATURES),
                    "authenticated": conn["authenticated"],
                    "username": conn["username"],
                    "subscriptions": self._copy_subscriptions(conn),
                    "queued_messages": len(conn.get("restored_queue", [])),
                    "timestamp": _utc_now_iso(),
                }
                await self._send_json(conn, welcome)
                await self._flush_restored_queue(conn)
                self.logger.info(f"Client {client_id} reconnected")
            else:
                conn["state"] = "connected"
                welcome = {
                    "type": "status",
                    "status": "connected",
                    "client_id": client_id,
                    "reconnect_token": self._generate_reconnect_token(client_id),
                    "server_time": _utc_now_iso(),
                    "features": list(FEATURES),
                    "timestamp": _utc_now_iso(),
                }
                await self._send_json(conn, welcome)
                self.logger.info(f"Client {client_id} connected")
            async for raw in websocket:
                await self._handle_raw_message(conn, raw)
        except ConnectionClosed:
            pass
        except asyncio.CancelledError:
            raise
        except Exception as e:
            conn["state"] = "error"
            self.logger.error(f"Connection handler error: {type(e).__name__}")
        finally:
            self._handle_disconnect(conn)

    def _handle_disconnect(self, conn):
        client_id = conn["client_id"]
        was_accepted = conn["state"] in ("connected", "reconnecting", "error")
        conn["state"] = "disconnecting"
        if self.connections.get(client_id) is conn:
            self.connections.pop(client_id, None)
        if was_accepted and not self._stopping:
            self._save_client_session(client_id, conn)
            self.logger.info(f"Client {client_id} disconnected")

    def _save_client_session(self, client_id: str, conn: Dict[str, Any]):
        self.client_session_persistence[client_id] = {
            "client_id": client_id,
            "authenticated": conn["authenticated"],
            "username": conn["username"],
            "permissions": list(conn["permissions"]),
            "subscriptions": self._copy_subscriptions(conn),
            "message_queue": list(conn.get("undelivered", []))[-self.queue_limit:],
            "disconnected_at": time.time(),
        }
        self.session_persistence_ttl[client_id] = time.time() + self.session_ttl

    def _restore_client_session(self, reconnect_token):
        if not isinstance(reconnect_token, str) or ":" not in reconnect_token:
            return None
        client_id = reconnect_token.split(":", 1)[0]
        if not client_id or client_id not in self.client_session_persistence:
            return None
        if time.time() >= self.session_persistence_ttl.get(client_id, 0):
            self.client_session_persistence.pop(client_id, None)
            self.session_persistence_ttl.pop(client_id, None)
            return None
        if client_id in self.connections:
            return None
        session_data = self.client_session_persistence.pop(client_id)
        self.session_persistence_ttl.pop(client_id, None)
        return client_id, session_data

    def _apply_restored_session(self, conn, session_data):
        conn["authenticated"] = session_data["authenticated"]
        conn["username"] = session_data["username"]
        conn["permissions"] = list(session_data["permissions"])
        conn["subscriptions"] = {k: list(v) for k, v in session_data["subscriptions"].items()}
        conn["restored_queue"] = list(session_data["message_queue"])

    async def _flush_restored_queue(self, conn):
        queue = conn.get("restored_queue") or []
        client_id = conn["client_id"]
        delivered = self.delivered_message_ids.setdefault(client_id, LRUCache(maxsize=10000))
        while queue:
            frame = queue.pop(0)
            message_id = frame.get("data", {}).get("message_id")
            if message_id is not None and message_id in delivered:
                continue
            if message_id is not None:
                delivered.put(message_id, True)
            await self._send_json(conn, frame)
        conn["restored_queue"] = []
        if conn["state"] == "reconnecting":
            conn["state"] = "connected"

    def _copy_subscriptions(self, conn) -> Dict[str, List[str]]:
        return {stream: list(symbols) for stream, symbols in conn["subscriptions"].items()}

    async def _send_json(self, conn, payload: Dict[str, Any]) -> bool:
        try:
            text = json.dumps(payload)
        except (TypeError, ValueError, RecursionError) as e:
            self.logger.error(f"Could not serialise outgoing message: {type(e).__name__}")
            return False
        try:
            await conn["websocket"].send(text)
        except ConnectionClosed:
            return False
        except Exception as e:
            self.logger.warning(f"Send failed: {type(e).__name__}")
            return False
        self.stats["messages_sent"] += 1
        if payload.get("type") == "error":
            self.stats["errors_sent"] += 1
        return True

    async def _send_to_client(self, client_id: str, payload: Dict[str, Any]) -> bool:
        conn = self.connections.get(client_id)
        if conn is None or conn["state"] not in ("connected", "reconnecting"):
            return False
        return await self._send_json(conn, payload)

    async def _push_critical(self, client_id: str, frame: Dict[str, Any]) -> bool:
        """Deliver an order/position frame, or queue it while the client is away."""
        message_id = frame["data"].get("message_id")
        conn = self.connections.get(client_id)
        if conn is not None and conn["state"] == "reconnecting":
            conn.setdefault("restored_queue", []).append(frame)
            return True
        if conn is not None and conn["state"] == "connected":
            delivered = self.delivered_message_ids.setdefault(client_id, LRUCache(maxsize=10000))
            if message_id is not None and message_id in delivered:
                return False
            if message_id is not None:
                delivered.put(message_id, True)
            sent = await self._send_json(conn, frame)
            if not sent:
                # the socket is going away: keep the frame for the persisted session
                if message_id is not None:
                    delivered.pop(message_id)
                conn.setdefault("undelivered", []).append(frame)
            return sent
        persisted = self.client_session_persistence.get(client_id)
        if persisted is None or time.time() >= self.session_persistence_ttl.get(client_id, 0):
            return False
        queue = persisted["message_queue"]
        if message_id is not None and any(f["data"].get("message_id") == message_id for f in queue):
            return False
        queue.append(frame)
        while len(queue) > self.queue_limit:
            queue.pop(0)
        return False

    # ------------------------------------------------------------------
    # incoming frames
    # ------------------------------------------------------------------
    def _extract_session_id(self, message) -> Optional[str]:
        if isinstance(message, dict):
            sid = message.get("session_id")
            if isinstance(sid, str):
                return sid
        return None

    def _create_error_response(self, error_code: str, error_message: str, session_id=None) -> Dict[str, Any]:
        return {
            "type": "error",
            "error_code": error_code,
            "error_message": error_message,
            "session_id": session_id,
            "timestamp": _utc_now_iso(),
        }

    async def _handle_raw_message(self, conn, raw):
        self.stats["messages_received"] += 1
        conn["messages_received"] += 1
        if not isinstance(raw, str):
            await self._send_json(conn, {
                "type": "error",
                "error_code": "invalid_message",
                "error_message": "Binary frames are not supported",
                "session_id": None,
                "timestamp": _utc_now_iso(),
            })
            return
        try:
            message = json.loads(raw, parse_constant=_reject_constant, parse_float=_parse_finite_float)
            if _json_depth(message) > MAX_JSON_DEPTH:
                raise ValueError("nesting too deep")
        except (ValueError, RecursionError, TypeError):
            await self._send_json(conn, {
                "type": "error",
                "error_code": "invalid_json",
                "error_message": "Invalid JSON format",
                "session_id": None,
                "timestamp": _utc_now_iso(),
            })
            return
        if not isinstance(message, dict):
            await self._send_json(conn, {
                "type": "error",
                "error_code": "invalid_message",
                "error_message": "Message must be a JSON object",
                "session_id": None,
                "timestamp": _utc_now_iso(),
            })
            return
        if not self.rate_limiter.check_message_limit(conn["remote_ip"]):
            self.stats["rate_limited"] += 1
            reply = {
                "type": "error",
                "error_code": "rate_limit_exceeded",
                "error_message": "Rate limit exceeded",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        else:
            try:
                reply = await self._process_message(conn, message)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                self.logger.error(f"Unexpected error processing message: {type(e).__name__}")
                msg_type = message.get("type")
                op = msg_type.lower() if isinstance(msg_type, str) and msg_type.lower() in MESSAGE_TYPES else "message"
                reply = {
                    "type": "error",
                    "error_code": f"{op}_failed",
                    "error_message": "Internal server error",
                    "session_id": self._extract_session_id(message),
                    "timestamp": _utc_now_iso(),
                }
            self.stats["messages_processed"] += 1
        if "id" in message:
            reply["request_id"] = message["id"]
        await self._send_json(conn, reply)
        post_reply = conn["post_reply"]
        conn["post_reply"] = []
        for action in post_reply:
            try:
                await action()
            except asyncio.CancelledError:
                raise
            except ConnectionClosed:
                pass
            except Exception as e:
                self.logger.error(f"Post-reply action failed: {type(e).__name__}")

    async def _process_message(self, conn, message: Dict[str, Any]) -> Dict[str, Any]:
        client_id = conn["client_id"]
        raw_type = message.get("type")
        if raw_type is None:
            return {
                "type": "error",
                "error_code": "invalid_message",
                "error_message": "Missing message type",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        if not isinstance(raw_type, str):
            return {
                "type": "error",
                "error_code": "invalid_message",
                "error_message": "Message type must be a string",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        msg_type = raw_type.lower()
        if msg_type == "ping":
            return {"type": "pong", "timestamp": _utc_now_iso()}
        elif msg_type == "heartbeat":
            return await self.message_handlers["heartbeat"](client_id, message)
        elif msg_type == "echo":
            return await self._handle_echo(client_id, message)
        elif msg_type == "version":
            return await self._handle_version(client_id, message)
        elif msg_type == "capabilities":
            return await self._handle_capabilities(client_id, message)
        elif msg_type == "server_time":
            return await self._handle_server_time(client_id, message)
        elif msg_type == "handshake":
            return await self._handle_handshake(client_id, message)
        elif msg_type == "command":
            return await self.message_handlers["command"](client_id, message)
        elif msg_type == "auth" or msg_type == "login":
            return await self.message_handlers["auth"](client_id, message)
        elif msg_type == "logout":
            return await self._handle_logout(client_id, message)
        elif msg_type == "refresh_token":
            return await self._handle_refresh_token(client_id, message)
        elif msg_type == "reconnect":
            return await self._handle_reconnect(conn, message)
        elif msg_type == "subscribe":
            return await self.message_handlers["subscribe"](client_id, message)
        elif msg_type == "unsubscribe":
            return await self.message_handlers["unsubscribe"](client_id, message)
        elif msg_type == "session_start":
            return await self._handle_session_start(client_id, message)
        elif msg_type == "session_stop":
            return await self._handle_session_stop(client_id, message)
        elif msg_type == "session_status":
            return await self._handle_session_status(client_id, message)
        elif msg_type == "collection_start":
            return await self._handle_collection_start(client_id, message)
        elif msg_type == "collection_stop":
            return await self._handle_collection_stop(client_id, message)
        elif msg_type == "collection_status":
            return await self._handle_collection_status(client_id, message)
        elif msg_type == "results_request":
            return await self._handle_results_request(client_id, message)
        elif msg_type == "get_strategies":
            return await self._handle_get_strategies(client_id, message)
        elif msg_type == "activate_strategy":
            return await self._handle_activate_strategy(client_id, message)
        elif msg_type == "deactivate_strategy":
            return await self._handle_deactivate_strategy(client_id, message)
        elif msg_type == "strategy_status":
            return await self._handle_get_strategy_status(client_id, message)
        elif msg_type == "validate_strategy_config":
            return await self._handle_validate_strategy_config(client_id, message)
        elif msg_type == "upsert_strategy":
            return await self._handle_upsert_strategy(client_id, message)
        else:
            return {
                "type": "error",
                "error_code": "invalid_message_type",
                "error_message": "Unknown message type",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }

    # ------------------------------------------------------------------
    # nested handlers
    # ------------------------------------------------------------------
    def _register_message_handlers(self):

        async def handle_auth(client_id, message):
            conn = self.connections.get(client_id)
            session_id = self._extract_session_id(message)
            if "token" in message:
                token = message.get("token")
                if not isinstance(token, str) or not token:
                    return {
                        "type": "error",
                        "error_code": "invalid_parameter",
                        "error_message": "Invalid parameter: token",
                        "session_id": session_id,
                        "timestamp": _utc_now_iso(),
                    }
                payload, error_text = self._decode_token(token, "access")
                if payload is None:
                    return {
                        "type": "error",
                        "error_code": "authentication_failed",
                        "error_message": error_text,
                        "session_id": session_id,
                        "timestamp": _utc_now_iso(),
                    }
                user = self.users[payload["sub"]]
                return self._login_success(conn, user)
            missing = [p for p in ("username", "password") if p not in message or message.get(p) is None]
            if missing:
                return {
                    "type": "error",
                    "error_code": "missing_parameters",
                    "error_message": f"Required: {', '.join(missing)}",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            username = message.get("username")
            password = message.get("password")
            if not isinstance(username, str):
                return {
                    "type": "error",
                    "error_code": "invalid_parameter",
                    "error_message": "Invalid parameter: username",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            if not isinstance(password, str):
                return {
                    "type": "error",
                    "error_code": "invalid_parameter",
                    "error_message": "Invalid parameter: password",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            locked_until = self.locked_accounts.get(username)
            if locked_until is not None:
                if time.time() < locked_until:
                    return {
                        "type": "error",
                        "error_code": "account_locked",
                        "error_message": "Account locked due to too many failed login attempts",
                        "session_id": session_id,
                        "timestamp": _utc_now_iso(),
                    }
                self.locked_accounts.pop(username, None)
                self.failed_login_attempts.pop(username, None)
            user = self.users.get(username)
            if user is None or not hmac.compare_digest(
                    password.encode("utf-8", "surrogatepass"),
                    user["password"].encode("utf-8", "surrogatepass")):
                attempts = self.failed_login_attempts.get(username, 0) + 1
                self.failed_login_attempts.put(username, attempts)
                if attempts >= self.lockout_threshold:
                    self.locked_accounts[username] = time.time() + self.lockout_seconds
                    self.logger.warning("Account locked after repeated failed logins")
                return {
                    "type": "error",
                    "error_code": "authentication_failed",
                    "error_message": "Invalid username or password",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            self.failed_login_attempts.pop(username, None)
            return self._login_success(conn, user)

        async def handle_subscribe(client_id, message):
            conn = self.connections.get(client_id)
            session_id = self._extract_session_id(message)
            if conn is None or not conn["authenticated"]:
                return {
                    "type": "error",
                    "error_code": "authentication_required",
                    "error_message": "Authentication required",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            if "stream" not in message or message.get("stream") is None:
                return {
                    "type": "error",
                    "error_code": "missing_parameters",
                    "error_message": "Required: stream",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            stream = message.get("stream")
            if not isinstance(stream, str) or stream not in STREAMS:
                return {
                    "type": "error",
                    "error_code": "invalid_parameter",
                    "error_message": "Unknown stream",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            symbols = []
            if message.get("symbols") is not None:
                symbols, error_text = self._validate_symbols(message.get("symbols"), allow_empty=True)
                if error_text is not None:
                    return {
                        "type": "error",
                        "error_code": "invalid_parameter",
                        "error_message": error_text,
                        "session_id": session_id,
                        "timestamp": _utc_now_iso(),
                    }
            if stream in conn["subscriptions"]:
                return {
                    "type": "error",
                    "error_code": "already_subscribed",
                    "error_message": f"Already subscribed to stream: {stream}",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            conn["subscriptions"][stream] = symbols
            return {
                "type": "response",
                "status": "subscribed",
                "stream": stream,
                "symbols": list(symbols),
                "timestamp": _utc_now_iso(),
            }

        async def handle_unsubscribe(client_id, message):
            conn = self.connections.get(client_id)
            session_id = self._extract_session_id(message)
            if conn is None or not conn["authenticated"]:
                return {
                    "type": "error",
                    "error_code": "authentication_required",
                    "error_message": "Authentication required",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            if "stream" not in message or message.get("stream") is None:
                return {
                    "type": "error",
                    "error_code": "missing_parameters",
                    "error_message": "Required: stream",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            stream = message.get("stream")
            if not isinstance(stream, str) or stream not in STREAMS:
                return {
                    "type": "error",
                    "error_code": "invalid_parameter",
                    "error_message": "Unknown stream",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            if stream not in conn["subscriptions"]:
                return {
                    "type": "error",
                    "error_code": "not_subscribed",
                    "error_message": f"Not subscribed to stream: {stream}",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            del conn["subscriptions"][stream]
            return {
                "type": "response",
                "status": "unsubscribed",
                "stream": stream,
                "timestamp": _utc_now_iso(),
            }

        async def handle_command(client_id, message):
            conn = self.connections.get(client_id)
            session_id = self._extract_session_id(message)
            if conn is None or not conn["authenticated"]:
                return {
                    "type": "error",
                    "error_code": "authentication_required",
                    "error_message": "Authentication required",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            if "admin" not in conn["permissions"]:
                return {
                    "type": "error",
                    "error_code": "insufficient_permissions",
                    "error_message": "Permission required: admin",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            if "command" not in message or message.get("command") is None:
                return {
                    "type": "error",
                    "error_code": "missing_parameters",
                    "error_message": "Required: command",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            command = message.get("command")
            if not isinstance(command, str) or command.lower() not in COMMANDS:
                return {
                    "type": "error",
                    "error_code": "invalid_parameter",
                    "error_message": "Unknown command",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            command = command.lower()
            if command == "get_stats":
                result = self.get_stats()
            else:
                result = await self.health_check()
            return {
                "type": "response",
                "status": "command_result",
                "command": command,
                "result": result,
                "timestamp": _utc_now_iso(),
            }

        async def handle_heartbeat(client_id, message):
            conn = self.connections.get(client_id)
            if conn is not None:
                conn["last_heartbeat"] = time.time()
            return {
                "type": "response",
                "status": "heartbeat_ack",
                "client_id": client_id,
                "timestamp": _utc_now_iso(),
            }

        self.message_handlers["auth"] = handle_auth
        self.message_handlers["login"] = handle_auth
        self.message_handlers["subscribe"] = handle_subscribe
        self.message_handlers["unsubscribe"] = handle_unsubscribe
        self.message_handlers["command"] = handle_command
        self.message_handlers["heartbeat"] = handle_heartbeat

    # ------------------------------------------------------------------
    # auth helpers
    # ------------------------------------------------------------------
    def _create_token(self, username: str, permissions: List[str], token_type: str, ttl: int) -> str:
        now = int(time.time())
        payload = {
            "sub": username,
            "permissions": list(permissions),
            "type": token_type,
            "iat": now,
            "exp": now + ttl,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(payload, self.jwt_secret, algorithm="HS256")

    def _decode_token(self, token: str, expected_type: str):
        try:
            payload = jwt.decode(token, self.jwt_secret, algorithms=["HS256"],
                                 options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            return None, "Token has expired"
        except Exception:
            return None, "Invalid token"
        if not isinstance(payload, dict) or payload.get("type") != expected_type:
            return None, "Invalid token"
        if payload.get("sub") not in self.users:
            return None, "Invalid token"
        return payload, None

    def _login_success(self, conn, user) -> Dict[str, Any]:
        conn["authenticated"] = True
        conn["username"] = user["username"]
        conn["permissions"] = list(user["permissions"])
        access_token = self._create_token(user["username"], user["permissions"], "access", self.access_token_ttl)
        refresh_token = self._create_token(user["username"], user["permissions"], "refresh", self.refresh_token_ttl)
        self.logger.info(f"User {user['username']} authenticated on {conn['client_id']}")
        return {
            "type": "response",
            "status": "logged_in",
            "client_id": conn["client_id"],
            "user": {"username": user["username"], "permissions": list(user["permissions"])},
            "access_token": access_token,
            "refresh_token": refresh_token,
            "token_type": "Bearer",
            "expires_in": self.access_token_ttl,
            "timestamp": _utc_now_iso(),
        }

    async def _handle_logout(self, client_id, message):
        conn = self.connections.get(client_id)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        username = conn["username"]
        conn["authenticated"] = False
        conn["username"] = None
        conn["permissions"] = []
        conn["subscriptions"] = {}
        self.logger.info(f"User {username} logged out on {client_id}")
        return {
            "type": "response",
            "status": "logged_out",
            "client_id": client_id,
            "timestamp": _utc_now_iso(),
        }

    async def _handle_refresh_token(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if "refresh_token" not in message or message.get("refresh_token") is None:
            return {
                "type": "error",
                "error_code": "missing_parameters",
                "error_message": "Required: refresh_token",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        token = message.get("refresh_token")
        if not isinstance(token, str) or not token:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: refresh_token",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        payload, error_text = self._decode_token(token, "refresh")
        if payload is not None and payload.get("jti") in self.revoked_refresh_tokens:
            payload, error_text = None, "Invalid token"
        if payload is None:
            return {
                "type": "error",
                "error_code": "authentication_failed",
                "error_message": error_text,
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if payload.get("jti") is not None:
            self.revoked_refresh_tokens.put(payload.get("jti"), True)
        user = self.users[payload["sub"]]
        conn["authenticated"] = True
        conn["username"] = user["username"]
        conn["permissions"] = list(user["permissions"])
        return {
            "type": "response",
            "status": "token_refreshed",
            "client_id": client_id,
            "access_token": self._create_token(user["username"], user["permissions"], "access", self.access_token_ttl),
            "refresh_token": self._create_token(user["username"], user["permissions"], "refresh", self.refresh_token_ttl),
            "token_type": "Bearer",
            "expires_in": self.access_token_ttl,
            "timestamp": _utc_now_iso(),
        }

    async def _handle_reconnect(self, conn, message):
        session_id = self._extract_session_id(message)
        if "reconnect_token" not in message or message.get("reconnect_token") is None:
            return {
                "type": "error",
                "error_code": "missing_parameters",
                "error_message": "Required: reconnect_token",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        token = message.get("reconnect_token")
        if not isinstance(token, str):
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: reconnect_token",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        restored = self._restore_client_session(token)
        if restored is None:
            return {
                "type": "error",
                "error_code": "session_not_found",
                "error_message": "Session not found or expired",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        old_client_id, session_data = restored
        if self.connections.get(conn["client_id"]) is conn:
            self.connections.pop(conn["client_id"], None)
        self.issued_reconnect_tokens.pop(conn["client_id"], None)
        conn["client_id"] = old_client_id
        self.connections[old_client_id] = conn
        self._apply_restored_session(conn, session_data)
        conn["state"] = "reconnecting"
        self.stats["reconnections"] += 1
        queued = len(conn.get("restored_queue", []))

        async def flush():
            await self._flush_restored_queue(conn)

        conn["post_reply"].append(flush)
        self.logger.info(f"Client {old_client_id} reconnected")
        return {
            "type": "response",
            "status": "reconnected",
            "client_id": old_client_id,
            "reconnect_token": self._generate_reconnect_token(old_client_id),
            "authenticated": conn["authenticated"],
            "username": conn["username"],
            "subscriptions": self._copy_subscriptions(conn),
            "queued_messages": queued,
            "timestamp": _utc_now_iso(),
        }

    # ------------------------------------------------------------------
    # protocol handlers
    # ------------------------------------------------------------------
    async def _handle_echo(self, client_id, message):
        return {
            "type": "response",
            "status": "echo",
            "data": message.get("data"),
            "timestamp": _utc_now_iso(),
        }

    async def _handle_version(self, client_id, message):
        return {
            "type": "response",
            "status": "version",
            "version": SERVER_VERSION,
            "protocol_version": PROTOCOL_VERSION,
            "server": SERVER_NAME,
            "timestamp": _utc_now_iso(),
        }

    async def _handle_capabilities(self, client_id, message):
        return {
            "type": "response",
            "status": "capabilities",
            "message_types": list(MESSAGE_TYPES),
            "streams": list(STREAMS),
            "session_types": list(SESSION_TYPES),
            "strategies": list(STRATEGY_CATALOGUE.keys()),
            "symbols": list(ALLOWED_SYMBOLS),
            "features": list(FEATURES),
            "commands": list(COMMANDS),
            "max_message_size": self.max_message_size,
            "timestamp": _utc_now_iso(),
        }

    async def _handle_server_time(self, client_id, message):
        return {
            "type": "response",
            "status": "server_time",
            "server_time": _utc_now_iso(),
            "timestamp": _utc_now_iso(),
        }

    async def _handle_handshake(self, client_id, message):
        conn = self.connections.get(client_id)
        return {
            "type": "response",
            "status": "handshake_ack",
            "client_id": client_id,
            "server_version": SERVER_VERSION,
            "protocol_version": PROTOCOL_VERSION,
            "features": list(FEATURES),
            "authenticated": bool(conn and conn["authenticated"]),
            "timestamp": _utc_now_iso(),
        }

    # ------------------------------------------------------------------
    # validation helpers
    # ------------------------------------------------------------------
    def _validate_symbol(self, value):
        if not isinstance(value, str) or len(value) > MAX_SYMBOL_LENGTH:
            return None, "Invalid symbol format"
        symbol = value.upper()
        if not SYMBOL_PATTERN.match(symbol) or not symbol.isascii():
            return None, "Invalid symbol format"
        if symbol not in ALLOWED_SYMBOLS:
            return None, f"Symbol not allowed: {symbol}"
        return symbol, None

    def _validate_symbols(self, value, allow_empty=False):
        if not isinstance(value, list):
            return None, "Invalid parameter: symbols"
        if not value and not allow_empty:
            return None, "Invalid parameter: symbols"
        result = []
        for item in value:
            symbol, error_text = self._validate_symbol(item)
            if error_text is not None:
                return None, error_text
            if symbol not in result:
                result.append(symbol)
        return result, None

    def _validate_strategy_params(self, strategy_name, config, base=None):
        """Validate a strategy config against the catalogue schema; returns (errors, merged config)."""
        if strategy_name not in STRATEGY_CATALOGUE:
            return [], dict(config)
        schema = STRATEGY_CATALOGUE[strategy_name]["config_schema"]
        errors = []
        for key in config:
            if key not in schema:
                errors.append(f"Unknown parameter: {key}")
        merged = dict(base) if base is not None else {k: v["default"] for k, v in schema.items()}
        for param, spec in schema.items():
            if param not in config:
                continue
            value = config[param]
            if spec["type"] == "integer":
                if isinstance(value, bool) or not isinstance(value, int):
                    errors.append(f"{param} must be an integer")
                    continue
            else:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    errors.append(f"{param} must be a number")
                    continue
            if value < spec["min"] or value > spec["max"]:
                errors.append(f"{param} must be between {spec['min']} and {spec['max']}")
                continue
            merged[param] = value if spec["type"] == "integer" else float(value)
        if not errors:
            if strategy_name == "MovingAverageCross" and merged["short_window"] >= merged["long_window"]:
                errors.append("short_window must be less than long_window")
            if strategy_name == "RSIStrategy" and merged["oversold"] >= merged["overbought"]:
                errors.append("oversold must be less than overbought")
        return errors, merged

    def _known_strategy(self, name) -> bool:
        return isinstance(name, str) and (name in STRATEGY_CATALOGUE or name in self.custom_strategies)

    # ------------------------------------------------------------------
    # sessions
    # ------------------------------------------------------------------
    async def _handle_session_start(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        missing = [p for p in ("session_type", "strategy_config") if message.get(p) is None]
        if missing:
            return {
                "type": "error",
                "error_code": "missing_parameters",
                "error_message": f"Required: {', '.join(missing)}",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        session_type = message.get("session_type")
        if not isinstance(session_type, str) or session_type.lower() not in SESSION_TYPES:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: session_type",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        session_type = session_type.lower()
        required_permission = "execute_live_trading" if session_type == "live" else "trade"
        if required_permission not in conn["permissions"]:
            return {
                "type": "error",
                "error_code": "insufficient_permissions",
                "error_message": f"Permission required: {required_permission}",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        strategy_config = message.get("strategy_config")
        if not isinstance(strategy_config, dict) or not strategy_config:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: strategy_config",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        errors = []
        normalized_config = {}
        for strategy_name, symbols in strategy_config.items():
            if not self._known_strategy(strategy_name):
                errors.append(f"Unknown strategy: {strategy_name}")
                continue
            checked, error_text = self._validate_symbols(symbols)
            if error_text is not None:
                errors.append(f"{strategy_name}: {error_text}")
                continue
            normalized_config[strategy_name] = checked
        if errors:
            return {
                "type": "error",
                "error_code": "validation_error",
                "error_message": "; ".join(errors),
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        config = message.get("config")
        if config is None:
            config = {}
        if not isinstance(config, dict):
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: config",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        bars = config.get("bars", 50)
        if isinstance(bars, bool) or not isinstance(bars, int) or bars < 1 or bars > 1000:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: config.bars",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        initial_capital = config.get("initial_capital", 10000.0)
        if isinstance(initial_capital, bool) or not isinstance(initial_capital, (int, float)) \
                or initial_capital <= 0 or initial_capital > 1e12:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: config.initial_capital",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        quantity = config.get("quantity", 1.0)
        if isinstance(quantity, bool) or not isinstance(quantity, (int, float)) or quantity <= 0 or quantity > 1e6:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: config.quantity",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        idempotent = message.get("idempotent", False)
        if not isinstance(idempotent, bool):
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: idempotent",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if self._stopping or self.controller is None:
            return {
                "type": "error",
                "error_code": "service_unavailable",
                "error_message": "Trading controller not available",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        username = conn["username"]
        existing = None
        for sess in self.trading_sessions.values():
            if sess["username"] == username and sess["state"] == "running":
                existing = sess
                break
        if existing is not None:
            if idempotent:
                return {
                    "type": "response",
                    "status": "session_started",
                    "session_id": existing["session_id"],
                    "session_type": existing["session_type"],
                    "strategies": list(existing["strategies"]),
                    "symbols": list(existing["symbols"]),
                    "bars_total": existing["bars_total"],
                    "already_running": True,
                    "timestamp": _utc_now_iso(),
                }
            return {
                "type": "error",
                "error_code": "session_conflict",
                "error_message": "User already has an active session",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if session_type == "live":
            for sess in self.trading_sessions.values():
                if sess["session_type"] == "live" and sess["state"] == "running":
                    return {
                        "type": "error",
                        "error_code": "session_conflict",
                        "error_message": "Another live session is already active",
                        "session_id": session_id,
                        "timestamp": _utc_now_iso(),
                    }
        new_session_id = "session_" + secrets.token_hex(8)
        symbols = []
        for syms in normalized_config.values():
            for sym in syms:
                if sym not in symbols:
                    symbols.append(sym)
        session = {
            "session_id": new_session_id,
            "session_type": session_type,
            "owner_client_id": client_id,
            "username": username,
            "strategy_config": normalized_config,
            "strategies": list(normalized_config.keys()),
            "symbols": symbols,
            "config": {"bars": bars, "initial_capital": float(initial_capital), "quantity": float(quantity)},
            "state": "running",
            "bars_total": bars if session_type == "backtest" else None,
            "bars_processed": 0,
            "results": None,
            "seq": 0,
            "task": None,
            "strategy_params": {name: dict(self.strategy_configs.get(name, {})) for name in normalized_config},
        }
        self.trading_sessions[new_session_id] = session

        async def launch():
            if session["state"] != "running" or self._stopping:
                return
            await self._emit_session_update(session, "running")
            if session_type == "backtest" and session["state"] == "running" and not self._stopping:
                session["task"] = self._spawn(self._run_backtest(session))

        conn["post_reply"].append(launch)
        self.logger.info(f"Session {new_session_id} ({session_type}) started by {username}")
        return {
            "type": "response",
            "status": "session_started",
            "session_id": new_session_id,
            "session_type": session_type,
            "strategies": list(session["strategies"]),
            "symbols": list(symbols),
            "bars_total": session["bars_total"],
            "already_running": False,
            "timestamp": _utc_now_iso(),
        }

    def _session_view(self, session) -> Dict[str, Any]:
        return {
            "session_id": session["session_id"],
            "session_type": session["session_type"],
            "state": session["state"],
            "username": session["username"],
            "strategies": list(session["strategies"]),
            "symbols": list(session["symbols"]),
            "bars_total": session["bars_total"],
            "bars_processed": session["bars_processed"],
            "results": session["results"],
        }

    async def _emit_session_update(self, session, status, results=None):
        data = {
            "session_id": session["session_id"],
            "session_type": session["session_type"],
            "status": status,
            "bars_total": session["bars_total"],
            "bars_processed": session["bars_processed"],
        }
        if results is not None:
            data["results"] = results
        frame = {"type": "session_update", "stream": "sessions", "data": data, "timestamp": _utc_now_iso()}
        owner = session["owner_client_id"]
        await self._send_to_client(owner, frame)
        for cid, conn in list(self.connections.items()):
            if cid == owner or conn["state"] != "connected":
                continue
            if "sessions" in conn["subscriptions"]:
                await self._send_json(conn, frame)
        if self.event_bus is not None and hasattr(self.event_bus, "publish"):
            try:
                result = self.event_bus.publish("session_update", data)
                if asyncio.iscoroutine(result):
                    await result
            except Exception as e:
                self.logger.warning(f"Event bus publish failed: {type(e).__name__}")

    async def _run_backtest(self, session):
        try:
            pairs = [(name, sym) for name, syms in session["strategy_config"].items() for sym in syms]
            sim = self.controller.new_simulation(pairs, session["strategy_params"], session["config"]["quantity"])
            for i in range(session["config"]["bars"]):
                await asyncio.sleep(self.bar_interval)
                if session["state"] != "running":
                    return
                events = self.controller.step(sim, i)
                for event in events:
                    if session["state"] != "running":
                        return
                    await self._emit_backtest_event(session, event)
                session["bars_processed"] = i + 1
            if session["state"] != "running":
                return
            results = self.controller.backtest_results(sim, session["config"]["initial_capital"])
            session["results"] = results
            session["state"] = "completed"
            await self._emit_session_update(session, "completed", results)
            self.logger.info(f"Backtest {session['session_id']} completed")
        except asyncio.CancelledError:
            raise
        except Exception as e:
            session["state"] = "failed"
            self.logger.error(f"Backtest {session['session_id']} failed: {type(e).__name__}")

    async def _emit_backtest_event(self, session, event):
        kind = event["kind"]
        session_id = session["session_id"]
        if kind == "market_data":
            data = {"session_id": session_id}
            data.update(event["bar"])
            await self.broadcast_to_subscribers("market_data", data)
            return
        session["seq"] += 1
        message_id = f"{session_id}:{session['seq']}"
        if kind == "order":
            data = {
                "message_id": message_id,
                "session_id": session_id,
                "order_id": f"{session_id}:order:{event['order_no']}",
                "strategy": event["strategy"],
                "symbol": event["symbol"],
                "side": event["side"],
                "quantity": session["config"]["quantity"],
                "price": event["price"],
                "status": "filled",
                "bar": session["bars_processed"],
            }
            frame = {"type": "orders", "stream": "orders", "data": data, "timestamp": _utc_now_iso()}
        else:
            data = {
                "message_id": message_id,
                "session_id": session_id,
                "strategy": event["strategy"],
                "symbol": event["symbol"],
                "quantity": event["quantity"],
                "entry_price": event["entry_price"],
                "bar": session["bars_processed"],
            }
            frame = {"type": "positions", "stream": "positions", "data": data, "timestamp": _utc_now_iso()}
        await self._push_critical(session["owner_client_id"], frame)

    def _find_session_for(self, conn, message):
        """Returns (session, error_dict)."""
        sid = message.get("session_id")
        if sid is None:
            for sess in self.trading_sessions.values():
                if sess["username"] == conn["username"] and sess["state"] == "running":
                    return sess, None
            return None, None
        if not isinstance(sid, str):
            return None, {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: session_id",
                "session_id": None,
                "timestamp": _utc_now_iso(),
            }
        sess = self.trading_sessions.get(sid)
        if sess is None or (sess["username"] != conn["username"] and "admin" not in conn["permissions"]):
            return None, {
                "type": "error",
                "error_code": "session_not_found",
                "error_message": "Session not found",
                "session_id": sid,
                "timestamp": _utc_now_iso(),
            }
        return sess, None

    async def _handle_session_stop(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if "trade" not in conn["permissions"]:
            return {
                "type": "error",
                "error_code": "insufficient_permissions",
                "error_message": "Permission required: trade",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        sess, error = self._find_session_for(conn, message)
        if error is not None:
            return error
        if sess is None:
            return {
                "type": "error",
                "error_code": "session_not_found",
                "error_message": "No active session",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if sess["state"] != "running":
            return {
                "type": "error",
                "error_code": "session_not_found",
                "error_message": "Session is not running",
                "session_id": sess["session_id"],
                "timestamp": _utc_now_iso(),
            }
        sess["state"] = "stopped"

        async def announce():
            await self._emit_session_update(sess, "stopped")

        conn["post_reply"].append(announce)
        self.logger.info(f"Session {sess['session_id']} stopped")
        return {
            "type": "response",
            "status": "session_stopped",
            "session_id": sess["session_id"],
            "session_type": sess["session_type"],
            "timestamp": _utc_now_iso(),
        }

    async def _handle_session_status(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        sess, error = self._find_session_for(conn, message)
        if error is not None:
            return error
        return {
            "type": "response",
            "status": "session_status",
            "session": self._session_view(sess) if sess is not None else None,
            "timestamp": _utc_now_iso(),
        }

    # ------------------------------------------------------------------
    # collections
    # ------------------------------------------------------------------
    async def _handle_collection_start(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if message.get("symbols") is None:
            return {
                "type": "error",
                "error_code": "missing_parameters",
                "error_message": "Required: symbols",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        symbols, error_text = self._validate_symbols(message.get("symbols"))
        if error_text is not None:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": error_text,
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        duration = message.get("duration")
        if duration is None:
            duration = "1h"
        match = DURATION_PATTERN.match(duration) if isinstance(duration, str) else None
        bars = 0
        if match is not None:
            bars = int(match.group(1)) * {"m": 1, "h": 60, "d": 1440}[match.group(2)]
        if match is None or bars > 1440:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: duration",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        strategies = message.get("strategies")
        if strategies is None:
            strategies = list(STRATEGY_CATALOGUE.keys())
        if not isinstance(strategies, list) or not strategies:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: strategies",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        checked_strategies = []
        for name in strategies:
            if not self._known_strategy(name):
                return {
                    "type": "error",
                    "error_code": "invalid_parameter",
                    "error_message": "Unknown strategy",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            if name not in checked_strategies:
                checked_strategies.append(name)
        if self._stopping or self.controller is None:
            return {
                "type": "error",
                "error_code": "service_unavailable",
                "error_message": "Trading controller not available",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        collection_id = "collection_" + secrets.token_hex(8)
        collection = {
            "collection_id": collection_id,
            "owner_client_id": client_id,
            "username": conn["username"],
            "symbols": symbols,
            "strategies": checked_strategies,
            "duration": duration,
            "bars_total": bars,
            "state": "running",
            "results": None,
            "strategy_params": {name: dict(self.strategy_configs.get(name, {})) for name in checked_strategies},
        }
        self.collections[collection_id] = collection

        async def launch():
            if collection["state"] == "running" and not self._stopping:
                self._spawn(self._run_collection(collection))

        conn["post_reply"].append(launch)
        return {
            "type": "response",
            "status": "collection_started",
            "collection_id": collection_id,
            "symbols": list(symbols),
            "strategies": list(checked_strategies),
            "duration": duration,
            "bars_total": bars,
            "timestamp": _utc_now_iso(),
        }

    async def _run_collection(self, collection):
        try:
            for _ in range(collection["bars_total"]):
                await asyncio.sleep(self.bar_interval)
                if collection["state"] != "running":
                    return
            results = self.controller.collection_results(
                collection["symbols"], collection["strategies"], collection["strategy_params"], collection["bars_total"])
            collection["results"] = results
            collection["state"] = "completed"
            frame = {
                "type": "collection_update",
                "data": {
                    "collection_id": collection["collection_id"],
                    "status": "completed",
                    "bars_total": collection["bars_total"],
                },
                "timestamp": _utc_now_iso(),
            }
            await self._send_to_client(collection["owner_client_id"], frame)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            collection["state"] = "failed"
            self.logger.error(f"Collection {collection['collection_id']} failed: {type(e).__name__}")

    def _find_collection(self, conn, message):
        session_id = self._extract_session_id(message)
        if message.get("collection_id") is None:
            return None, {
                "type": "error",
                "error_code": "missing_parameters",
                "error_message": "Required: collection_id",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        cid = message.get("collection_id")
        if not isinstance(cid, str):
            return None, {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: collection_id",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        collection = self.collections.get(cid)
        if collection is None or (collection["username"] != conn["username"] and "admin" not in conn["permissions"]):
            return None, {
                "type": "error",
                "error_code": "collection_not_found",
                "error_message": "Collection not found",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        return collection, None

    async def _handle_collection_stop(self, client_id, message):
        conn = self.connections.get(client_id)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        collection, error = self._find_collection(conn, message)
        if error is not None:
            return error
        if collection["state"] != "running":
            return {
                "type": "error",
                "error_code": "collection_not_found",
                "error_message": "Collection is not running",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        collection["state"] = "stopped"
        return {
            "type": "response",
            "status": "collection_stopped",
            "collection_id": collection["collection_id"],
            "timestamp": _utc_now_iso(),
        }

    async def _handle_collection_status(self, client_id, message):
        conn = self.connections.get(client_id)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        collection, error = self._find_collection(conn, message)
        if error is not None:
            return error
        return {
            "type": "response",
            "status": "collection_status",
            "collection_id": collection["collection_id"],
            "state": collection["state"],
            "symbols": list(collection["symbols"]),
            "strategies": list(collection["strategies"]),
            "duration": collection["duration"],
            "bars_total": collection["bars_total"],
            "timestamp": _utc_now_iso(),
        }

    async def _handle_results_request(self, client_id, message):
        conn = self.connections.get(client_id)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        collection, error = self._find_collection(conn, message)
        if error is not None:
            return error
        if collection["state"] != "completed" or collection["results"] is None:
            return {
                "type": "error",
                "error_code": "results_not_ready",
                "error_message": "Results not ready",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        return {
            "type": "response",
            "status": "results",
            "collection_id": collection["collection_id"],
            "symbols": list(collection["symbols"]),
            "strategies": list(collection["strategies"]),
            "duration": collection["duration"],
            "bars_total": collection["bars_total"],
            "results": json.loads(json.dumps(collection["results"])),
            "timestamp": _utc_now_iso(),
        }

    # ------------------------------------------------------------------
    # strategies
    # ------------------------------------------------------------------
    async def _handle_get_strategies(self, client_id, message):
        conn = self.connections.get(client_id)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": self._extract_session_id(message),
                "timestamp": _utc_now_iso(),
            }
        strategies = []
        for name, entry in STRATEGY_CATALOGUE.items():
            strategies.append({
                "name": name,
                "description": entry["description"],
                "config_schema": json.loads(json.dumps(entry["config_schema"])),
                "config": dict(self.strategy_configs[name]),
                "active_symbols": list(self.active_strategies.get(name, [])),
                "custom": False,
            })
        for name, entry in self.custom_strategies.items():
            strategies.append({
                "name": name,
                "description": "Custom strategy",
                "config_schema": {},
                "config": json.loads(json.dumps(entry["config"])),
                "active_symbols": list(self.active_strategies.get(name, [])),
                "custom": True,
            })
        return {
            "type": "response",
            "status": "strategies",
            "strategies": strategies,
            "timestamp": _utc_now_iso(),
        }

    async def _handle_activate_strategy(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if "trade" not in conn["permissions"]:
            return {
                "type": "error",
                "error_code": "insufficient_permissions",
                "error_message": "Permission required: trade",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        missing = [p for p in ("strategy_name", "symbol") if message.get(p) is None]
        if missing:
            return {
                "type": "error",
                "error_code": "missing_parameters",
                "error_message": f"Required: {', '.join(missing)}",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        strategy_name = message.get("strategy_name")
        if not self._known_strategy(strategy_name):
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Unknown strategy",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        symbol, error_text = self._validate_symbol(message.get("symbol"))
        if error_text is not None:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": error_text,
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        config = message.get("config")
        if config is not None:
            if not isinstance(config, dict):
                return {
                    "type": "error",
                    "error_code": "invalid_parameter",
                    "error_message": "Invalid parameter: config",
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            if strategy_name in STRATEGY_CATALOGUE:
                errors, merged = self._validate_strategy_params(strategy_name, config, self.strategy_configs[strategy_name])
                if errors:
                    return {
                        "type": "error",
                        "error_code": "validation_error",
                        "error_message": "; ".join(errors),
                        "session_id": session_id,
                        "timestamp": _utc_now_iso(),
                    }
            else:
                merged = dict(self.custom_strategies[strategy_name]["config"])
                merged.update(config)
        active = self.active_strategies.setdefault(strategy_name, [])
        if symbol in active:
            return {
                "type": "error",
                "error_code": "activate_strategy_failed",
                "error_message": "Strategy already active for symbol",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if config is not None:
            if strategy_name in STRATEGY_CATALOGUE:
                self.strategy_configs[strategy_name] = merged
            else:
                self.custom_strategies[strategy_name]["config"] = merged
        active.append(symbol)
        current = self.strategy_configs[strategy_name] if strategy_name in STRATEGY_CATALOGUE \
            else self.custom_strategies[strategy_name]["config"]
        return {
            "type": "response",
            "status": "strategy_activated",
            "strategy_name": strategy_name,
            "symbol": symbol,
            "config": json.loads(json.dumps(current)),
            "active_symbols": list(active),
            "timestamp": _utc_now_iso(),
        }

    async def _handle_deactivate_strategy(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if "trade" not in conn["permissions"]:
            return {
                "type": "error",
                "error_code": "insufficient_permissions",
                "error_message": "Permission required: trade",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        missing = [p for p in ("strategy_name", "symbol") if message.get(p) is None]
        if missing:
            return {
                "type": "error",
                "error_code": "missing_parameters",
                "error_message": f"Required: {', '.join(missing)}",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        strategy_name = message.get("strategy_name")
        if not self._known_strategy(strategy_name):
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Unknown strategy",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        symbol, error_text = self._validate_symbol(message.get("symbol"))
        if error_text is not None:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": error_text,
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        active = self.active_strategies.get(strategy_name, [])
        if symbol not in active:
            return {
                "type": "error",
                "error_code": "deactivate_strategy_failed",
                "error_message": "Strategy not active for symbol",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        active.remove(symbol)
        return {
            "type": "response",
            "status": "strategy_deactivated",
            "strategy_name": strategy_name,
            "symbol": symbol,
            "active_symbols": list(active),
            "timestamp": _utc_now_iso(),
        }

    async def _handle_get_strategy_status(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        strategy_name = message.get("strategy_name")
        if strategy_name is not None and not self._known_strategy(strategy_name):
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Unknown strategy",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        names = list(STRATEGY_CATALOGUE.keys()) + list(self.custom_strategies.keys())
        if strategy_name is not None:
            names = [strategy_name]
        result = {}
        for name in names:
            config = self.strategy_configs[name] if name in STRATEGY_CATALOGUE else self.custom_strategies[name]["config"]
            active = self.active_strategies.get(name, [])
            result[name] = {
                "active": bool(active),
                "active_symbols": list(active),
                "config": json.loads(json.dumps(config)),
            }
        return {
            "type": "response",
            "status": "strategy_status",
            "strategies": result,
            "timestamp": _utc_now_iso(),
        }

    async def _handle_validate_strategy_config(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        missing = [p for p in ("strategy_name", "config") if message.get(p) is None]
        if missing:
            return {
                "type": "error",
                "error_code": "missing_parameters",
                "error_message": f"Required: {', '.join(missing)}",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        strategy_name = message.get("strategy_name")
        if not self._known_strategy(strategy_name):
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Unknown strategy",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        config = message.get("config")
        if not isinstance(config, dict):
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: config",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        errors, merged = self._validate_strategy_params(strategy_name, config)
        return {
            "type": "response",
            "status": "validation_result",
            "strategy_name": strategy_name,
            "valid": not errors,
            "errors": errors,
            "config": merged if not errors else None,
            "timestamp": _utc_now_iso(),
        }

    async def _handle_upsert_strategy(self, client_id, message):
        conn = self.connections.get(client_id)
        session_id = self._extract_session_id(message)
        if conn is None or not conn["authenticated"]:
            return {
                "type": "error",
                "error_code": "authentication_required",
                "error_message": "Authentication required",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if "manage_strategies" not in conn["permissions"]:
            return {
                "type": "error",
                "error_code": "insufficient_permissions",
                "error_message": "Permission required: manage_strategies",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        missing = [p for p in ("strategy_name", "config") if message.get(p) is None]
        if missing:
            return {
                "type": "error",
                "error_code": "missing_parameters",
                "error_message": f"Required: {', '.join(missing)}",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        strategy_name = message.get("strategy_name")
        if not isinstance(strategy_name, str) or not strategy_name:
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: strategy_name",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        config = message.get("config")
        if not isinstance(config, dict):
            return {
                "type": "error",
                "error_code": "invalid_parameter",
                "error_message": "Invalid parameter: config",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if strategy_name in STRATEGY_CATALOGUE:
            errors, merged = self._validate_strategy_params(strategy_name, config)
            if errors:
                return {
                    "type": "error",
                    "error_code": "validation_error",
                    "error_message": "; ".join(errors),
                    "session_id": session_id,
                    "timestamp": _utc_now_iso(),
                }
            created = False
        else:
            merged = dict(config)
            created = strategy_name not in self.custom_strategies
        # persist the configuration next to the others
        try:
            os.makedirs(self.strategies_dir, exist_ok=True)
            path = os.path.join(self.strategies_dir, f"{strategy_name}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"name": strategy_name, "config": merged}, f, indent=2)
        except Exception as e:
            self.logger.warning(f"Failed to write strategy file: {type(e).__name__}")
            return {
                "type": "error",
                "error_code": "upsert_strategy_failed",
                "error_message": "Failed to persist strategy configuration",
                "session_id": session_id,
                "timestamp": _utc_now_iso(),
            }
        if strategy_name in STRATEGY_CATALOGUE:
            self.strategy_configs[strategy_name] = merged
        else:
            self.custom_strategies[strategy_name] = {"config": merged}
        return {
            "type": "response",
            "status": "strategy_upserted",
            "strategy_name": strategy_name,
            "created": created,
            "config": json.loads(json.dumps(merged)),
            "file": f"{strategy_name}.json",
            "timestamp": _utc_now_iso(),
        }

    # ------------------------------------------------------------------
    # public API
    # ------------------------------------------------------------------
    async def broadcast_to_subscribers(self, stream: str, data: Dict[str, Any], exclude_client: Optional[str] = None) -> int:
        if stream not in STREAMS:
            return 0
        data = dict(data) if isinstance(data, dict) else {"value": data}
        if stream in CRITICAL_STREAMS and "message_id" not in data:
            self._broadcast_seq += 1
            data["message_id"] = f"broadcast:{self._broadcast_seq}"
        frame = {"type": stream, "stream": stream, "data": data, "timestamp": _utc_now_iso()}
        symbol = data.get("symbol")
        delivered = 0
        for client_id, conn in list(self.connections.items()):
            if client_id == exclude_client or conn["state"] not in ("connected", "reconnecting"):
                continue
            if stream not in conn["subscriptions"]:
                continue
            symbols = conn["subscriptions"][stream]
            if symbols and symbol is not None and symbol not in symbols:
                continue
            if stream in CRITICAL_STREAMS:
                if await self._push_critical(client_id, frame):
                    delivered += 1
            elif await self._send_json(conn, frame):
                delivered += 1
        if stream in CRITICAL_STREAMS:
            for client_id, persisted in list(self.client_session_persistence.items()):
                if client_id == exclude_client or client_id in self.connections:
                    continue
                if stream not in persisted["subscriptions"]:
                    continue
                symbols = persisted["subscriptions"][stream]
                if symbols and symbol is not None and symbol not in symbols:
                    continue
                await self._push_critical(client_id, frame)
        return delivered

    def get_stats(self) -> Dict[str, Any]:
        by_state = {"connecting": 0, "connected": 0, "disconnecting": 0, "disconnected": 0, "error": 0, "reconnecting": 0}
        healthy = 0
        for conn in self.connections.values():
            state = conn["state"]
            by_state[state] = by_state.get(state, 0) + 1
            if state == "connected":
                ws = conn["websocket"]
                try:
                    if ws.state == websockets.protocol.State.OPEN:
                        healthy += 1
                except Exception:
                    pass
        by_state["disconnected"] = len(self.client_session_persistence)
        subscriptions = {stream: 0 for stream in STREAMS}
        for conn in self.connections.values():
            for stream in conn["subscriptions"]:
                subscriptions[stream] = subscriptions.get(stream, 0) + 1
        uptime = time.time() - self._start_time if self._start_time and self._running else 0.0
        return {
            "server": {
                "host": self.host,
                "port": self.port,
                "running": self._running,
                "version": SERVER_VERSION,
                "uptime_seconds": round(uptime, 3),
            },
            "connections": {
                "total": len(self.connections),
                "active": by_state["connected"] + by_state["reconnecting"],
                "healthy": healthy,
                "max_connections": self.max_connections,
                "accepted": self.stats["connections_accepted"],
                "rejected": self.stats["connections_rejected"],
                "reconnections": self.stats["reconnections"],
                "by_state": by_state,
            },
            "messages": {
                "received": self.stats["messages_received"],
                "processed": self.stats["messages_processed"],
                "sent": self.stats["messages_sent"],
                "errors": self.stats["errors_sent"],
                "rate_limited": self.stats["rate_limited"],
            },
            "sessions": {
                "persisted": len(self.client_session_persistence),
                "queued_messages": sum(len(p["message_queue"]) for p in self.client_session_persistence.values()),
                "trading_sessions": len(self.trading_sessions),
                "active_trading_sessions": sum(1 for s in self.trading_sessions.values() if s["state"] == "running"),
                "collections": len(self.collections),
            },
            "subscriptions": subscriptions,
        }

    async def health_check(self) -> Dict[str, Any]:
        active = sum(1 for c in self.connections.values() if c["state"] in ("connected", "reconnecting"))
        checks = {
            "server": bool(self._running and self.server is not None),
            "controller": self.controller is not None,
            "strategies_dir": bool(self.strategies_dir) and os.path.isdir(self.strategies_dir),
            "capacity": active < self.max_connections,
        }
        if not checks["server"]:
            status = "stopped"
        elif all(checks.values()):
            status = "healthy"
        else:
            status = "degraded"
        uptime = time.time() - self._start_time if self._start_time and self._running else 0.0
        return {
            "status": status,
            "running": self._running,
            "uptime_seconds": round(uptime, 3),
            "active_connections": active,
            "max_connections": self.max_connections,
            "checks": checks,
            "timestamp": _utc_now_iso(),
        }
