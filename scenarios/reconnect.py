"""Reconnect: session persistence, restored auth/subscriptions and queued critical messages."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import ask, ask_all, connect, frames, leave, login  # noqa: E402
from harness.scenario import scenario  # noqa: E402

# First critical frame at bar 2 (3 x 0.15 s after the start): the owner is gone long before.
BAR_MS = 150
QUEUE_SETTINGS = {"bar_interval": BAR_MS / 1000}
RSI2 = {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "config": {"period": 2}}


async def away_backtest(s, name: str = "c1", bars: int = 10):
    """Log in, subscribe, start a backtest with orders, then leave; returns the welcome frame."""
    c1, welcome = await login(s, name, "trader")
    await ask_all(c1, [
        RSI2,
        {"type": "subscribe", "stream": "orders", "symbols": ["BTC_USDT"]},
        {"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"]},
    ])
    await ask(c1, {"type": "session_start", "session_type": "backtest", "id": "start",
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": bars}})
    await c1.recv()  # session_update running
    await leave(s, c1)
    await s.sleep(bars * BAR_MS + 700)  # the backtest finishes while the owner is away
    return welcome


@scenario(name="reconnect_header_restores_state", tags=["reconnect", "auth", "subscriptions"])
async def reconnect_header_restores_state(s):
    """X-Reconnect-Token header: same client_id, auth and subscriptions restored, nothing queued"""
    c1, welcome = await login(s, "c1", "trader")
    await ask_all(c1, [
        {"type": "subscribe", "stream": "orders", "symbols": ["btc_usdt"]},
        {"type": "subscribe", "stream": "sessions"},
    ])
    await leave(s, c1)
    c1, _ = await connect(s, "c1", headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await ask_all(c1, [
        {"type": "handshake", "id": 1},
        {"type": "subscribe", "stream": "orders", "id": 2},
        {"type": "unsubscribe", "stream": "sessions", "id": 3},
    ])


@scenario(name="reconnect_header_queued", tags=["reconnect", "sessions"], settings=QUEUE_SETTINGS)
async def reconnect_header_queued(s):
    """orders/positions of a backtest that ran while the owner was away are queued and delivered after
    the `reconnected` welcome (header variant)"""
    welcome = await away_backtest(s)
    c1, _ = await connect(s, "c1", headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await frames(c1, 4)
    await ask_all(c1, [{"type": "session_status", "id": 1}, {"type": "heartbeat", "id": 2}])


@scenario(name="reconnect_message_queued", tags=["reconnect", "sessions"], settings=QUEUE_SETTINGS)
async def reconnect_message_queued(s):
    """`reconnect` message: the connection adopts the old client_id, the reply is followed by the queued
    frames; the old token cannot be used again"""
    welcome = await away_backtest(s)
    c2, _ = await connect(s, "c2")
    await ask(c2, {"type": "reconnect", "reconnect_token": welcome["reconnect_token"], "id": 1})
    await frames(c2, 4)
    await ask_all(c2, [
        {"type": "heartbeat", "id": 2},
        {"type": "subscribe", "stream": "orders", "id": 3},
        {"type": "reconnect", "reconnect_token": welcome["reconnect_token"], "id": 4},
    ])


@scenario(name="reconnect_queue_limit", tags=["reconnect", "limits"], settings=dict(QUEUE_SETTINGS, queue_limit=2))
async def reconnect_queue_limit(s):
    """queue_limit 2: only the two newest critical frames survive (queued_messages 2)"""
    welcome = await away_backtest(s, bars=12)
    c1, _ = await connect(s, "c1", headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await frames(c1, 2)
    await ask(c1, {"type": "ping", "id": 1})


@scenario(name="reconnect_errors", tags=["reconnect", "errors"])
async def reconnect_errors(s):
    """reconnect errors: missing/null/non-string token, unknown token, a client that is still connected;
    an invalid header token is ignored (normal welcome)"""
    c1, welcome = await login(s, "c1", "viewer")
    c2, _ = await connect(s, "c2")
    await ask_all(c2, [
        {"type": "reconnect", "id": 1},
        {"type": "reconnect", "reconnect_token": None, "id": 2},
        {"type": "reconnect", "reconnect_token": 5, "id": 3},
        {"type": "reconnect", "reconnect_token": "no-colon", "id": 4},
        {"type": "reconnect", "reconnect_token": ":empty", "id": 5},
        {"type": "reconnect", "reconnect_token": "client_0000000000000000:abc", "id": 6, "session_id": "x"},
        {"type": "reconnect", "reconnect_token": welcome["reconnect_token"], "id": 7},
    ])
    c3, _ = await connect(s, "c3", headers={"X-Reconnect-Token": "client_0000000000000000:abc"})
    await ask(c3, {"type": "handshake", "id": 8})
    c4, _ = await connect(s, "c4", headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await ask(c4, {"type": "handshake", "id": 9})


@scenario(name="reconnect_expired", tags=["reconnect", "errors"], settings={"session_ttl": 0.2})
async def reconnect_expired(s):
    """persisted sessions expire after session_ttl: message -> Session not found or expired, header -> new id"""
    c1, first = await login(s, "c1", "trader")
    await leave(s, c1)
    c2, second = await login(s, "c2", "viewer")
    await leave(s, c2)
    await s.sleep(400)
    c3, _ = await connect(s, "c3")
    await ask(c3, {"type": "reconnect", "reconnect_token": first["reconnect_token"], "id": 1})
    c4, _ = await connect(s, "c4", headers={"X-Reconnect-Token": second["reconnect_token"]})
    await ask(c4, {"type": "handshake", "id": 2})


@scenario(name="reconnect_twice", tags=["reconnect"])
async def reconnect_twice(s):
    """a reconnected client gets a new token; leaving again and reconnecting with it restores the state again"""
    c1, welcome = await login(s, "c1", "admin")
    await ask(c1, {"type": "subscribe", "stream": "positions", "symbols": ["SOL_USDT"]})
    await leave(s, c1)
    c1, again = await connect(s, "c1", headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await leave(s, c1)
    c2, _ = await connect(s, "c2")
    await ask(c2, {"type": "reconnect", "reconnect_token": again["reconnect_token"], "id": 1})
    await ask(c2, {"type": "command", "command": "health_check", "id": 2})


@scenario(name="reconnect_message_orphans_session", tags=["reconnect", "sessions"], settings=QUEUE_SETTINGS)
async def reconnect_message_orphans_session(s):
    """a connection that adopts another client_id with `reconnect` leaves its backtest with the dropped id:
    the orders are neither delivered nor queued, the session still completes"""
    c0, welcome = await login(s, "c0", "viewer")
    await leave(s, c0)
    c1, _ = await login(s, "c1", "trader")
    await ask(c1, RSI2)
    started = await ask(c1, {"type": "session_start", "session_type": "backtest", "id": 1,
                             "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 10}})
    await c1.recv()
    await ask(c1, {"type": "reconnect", "reconnect_token": welcome["reconnect_token"], "id": 2})
    await s.sleep(10 * BAR_MS + 700)
    await ask_all(c1, [
        {"type": "login", "username": "trader", "password": "trader123", "id": 3},
        {"type": "session_status", "session_id": started["session_id"], "id": 4},
    ])


@scenario(name="reconnect_owner_expired", tags=["reconnect", "sessions"],
          settings=dict(QUEUE_SETTINGS, session_ttl=0.15))
async def reconnect_owner_expired(s):
    """the owner of a backtest leaves and its persisted session expires: orders are dropped, not queued,
    and the reconnect gets a fresh identity"""
    welcome = await away_backtest(s)
    c1, _ = await connect(s, "c1", headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await ask(c1, {"type": "handshake", "id": 1})
