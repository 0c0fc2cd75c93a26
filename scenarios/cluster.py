"""Several instances that clients see as one server: every connect and call names the instance it
goes to (`instance=`). Recorded against the one legacy process (which ignores the instance), they
are what `cluster:N:refactored` must answer: a reconnect on another instance restores the session
and delivers its queued critical messages once; a broadcast made on one instance reaches the
subscribers of every instance once; limits and lockouts count across instances."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import PASSWORDS, SETTLE_MS, ask, ask_all, frames, leave  # noqa: E402
from harness.scenario import scenario  # noqa: E402

BROADCAST = "broadcast_to_subscribers"
TICK = {"symbol": "BTC_USDT", "price": 101.5}
BAR_MS = 150
QUEUE_SETTINGS = {"bar_interval": BAR_MS / 1000}
RSI2 = {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "config": {"period": 2}}


async def joined(s, name: str, instance: int, user: str | None = None, headers: dict | None = None):
    """Connect `name` to `instance`, read its welcome, log in as `user` (None: stay anonymous)."""
    client = await s.connect(name, headers=headers, instance=instance)
    welcome = await client.recv()
    if user is not None:
        reply = await ask(client, {"type": "login", "id": f"login-{name}", "username": user,
                                   "password": PASSWORDS[user]})
        assert reply.get("status") == "logged_in", reply
    return client, welcome


async def broadcast_on(s, instance: int, *args, **kwargs):
    """broadcast_to_subscribers on one instance; the number of clients it reached."""
    outcome = await s.call_on(instance, BROADCAST, *args, **kwargs)
    assert outcome.kind == "returned", outcome
    return outcome.value


@scenario(name="cluster_reconnect_other_instance", tags=["cluster", "reconnect", "subscriptions"])
async def cluster_reconnect_other_instance(s):
    """a session made on instance 0 is resumed on instance 1 (X-Reconnect-Token header): same
    client_id, auth and subscriptions; the critical messages broadcast on either instance while it
    was away arrive once, after the welcome; a broadcast made on instance 0 then reaches it live on
    instance 1; the used token is refused on instance 0"""
    c1, welcome = await joined(s, "c1", 0, "trader")
    await ask_all(c1, [
        {"type": "subscribe", "stream": "orders", "symbols": ["BTC_USDT"], "id": 1},
        {"type": "subscribe", "stream": "market_data", "id": 2},
    ])
    await leave(s, c1)
    await s.sleep(SETTLE_MS)
    assert await broadcast_on(s, 1, "orders", {"symbol": "BTC_USDT", "side": "buy", "message_id": "o-1"}) == 0
    assert await broadcast_on(s, 0, "orders", {"symbol": "BTC_USDT", "side": "sell", "message_id": "o-2"}) == 0
    assert await broadcast_on(s, 1, "market_data", TICK) == 0  # not critical: not kept
    c1, _ = await joined(s, "c1", 1, headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await frames(c1, 2)
    await ask_all(c1, [{"type": "handshake", "id": 3}, {"type": "subscribe", "stream": "orders", "id": 4}])
    assert await broadcast_on(s, 0, "market_data", TICK) == 1
    await frames(c1, 1)
    c2, _ = await joined(s, "c2", 0)
    await ask(c2, {"type": "reconnect", "reconnect_token": welcome["reconnect_token"], "id": 5})


@scenario(name="cluster_reconnect_message_other_instance", tags=["cluster", "reconnect"])
async def cluster_reconnect_message_other_instance(s):
    """the `reconnect` message on instance 1 with a token instance 0 issued: the connection adopts
    the old client_id and gets what was queued, once; the token cannot be used again on either
    instance"""
    c1, welcome = await joined(s, "c1", 0, "trader")
    await ask(c1, {"type": "subscribe", "stream": "positions", "id": 1})
    await leave(s, c1)
    await s.sleep(SETTLE_MS)
    assert await broadcast_on(s, 0, "positions", {"symbol": "BTC_USDT", "quantity": 2}) == 0
    c2, _ = await joined(s, "c2", 1)
    await ask(c2, {"type": "reconnect", "reconnect_token": welcome["reconnect_token"], "id": 2})
    await frames(c2, 1)
    await ask_all(c2, [
        {"type": "heartbeat", "id": 3},
        {"type": "reconnect", "reconnect_token": welcome["reconnect_token"], "id": 4},
    ])
    c3, _ = await joined(s, "c3", 0)
    await ask(c3, {"type": "reconnect", "reconnect_token": welcome["reconnect_token"], "id": 5})


@scenario(name="cluster_reconnect_backtest_queued", tags=["cluster", "reconnect", "sessions"],
          settings=QUEUE_SETTINGS)
async def cluster_reconnect_backtest_queued(s):
    """orders/positions of a backtest that ran on instance 0 while its owner was away are delivered
    after the `reconnected` welcome on instance 1, once; session_status there sees the session"""
    c1, welcome = await joined(s, "c1", 0, "trader")
    await ask_all(c1, [
        RSI2,
        {"type": "subscribe", "stream": "orders", "symbols": ["BTC_USDT"]},
        {"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"]},
    ])
    await ask(c1, {"type": "session_start", "session_type": "backtest", "id": "start",
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 10}})
    await c1.recv()  # session_update running
    await leave(s, c1)
    await s.sleep(10 * BAR_MS + 700)  # the backtest finishes while the owner is away
    c1, _ = await joined(s, "c1", 1, headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await frames(c1, 4)
    await ask_all(c1, [{"type": "session_status", "id": 1}, {"type": "heartbeat", "id": 2}])


@scenario(name="cluster_broadcast", tags=["cluster", "subscriptions", "python_api", "multi_client"])
async def cluster_broadcast(s):
    """broadcast_to_subscribers on one instance reaches the subscribers on every instance, once,
    filtered by symbols and exclude_client, and returns how many it reached; a critical message
    with a message_id is delivered once whichever instance pushes it again"""
    c1, w1 = await joined(s, "c1", 0, "trader")
    c2, _ = await joined(s, "c2", 1, "viewer")
    c3, _ = await joined(s, "c3", 0, "viewer")
    c4, _ = await joined(s, "c4", 1, "trader")
    await ask(c1, {"type": "subscribe", "stream": "market_data", "symbols": ["BTC_USDT"], "id": 1})
    await ask(c2, {"type": "subscribe", "stream": "market_data", "id": 1})
    await ask(c3, {"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"], "id": 1})
    await ask(c4, {"type": "subscribe", "stream": "orders", "id": 1})
    assert await broadcast_on(s, 1, "market_data", TICK) == 2
    await frames(c1, 1)
    await frames(c2, 1)
    assert await broadcast_on(s, 0, "market_data", {"symbol": "ETH_USDT", "price": 7}) == 2
    await frames(c2, 1)
    await frames(c3, 1)
    assert await broadcast_on(s, 1, "market_data", TICK, exclude_client=w1["client_id"]) == 1
    await frames(c2, 1)
    assert await broadcast_on(s, 0, "orders", {"symbol": "BTC_USDT", "message_id": "o-9"}) == 1
    await frames(c4, 1)
    assert await broadcast_on(s, 1, "orders", {"symbol": "BTC_USDT", "message_id": "o-9"}) == 0
    assert await broadcast_on(s, 0, "orders", {"symbol": "BTC_USDT", "message_id": "o-9"}) == 0
    await ask_all(c4, [{"type": "ping", "id": 2}])


@scenario(name="cluster_unsubscribe_and_leave", tags=["cluster", "subscriptions", "multi_client"])
async def cluster_unsubscribe_and_leave(s):
    """a subscriber that unsubscribed on instance 1, or left it, gets nothing from a broadcast on
    instance 0; the one still subscribed gets it once"""
    c1, _ = await joined(s, "c1", 1, "viewer")
    c2, _ = await joined(s, "c2", 1, "viewer")
    c3, _ = await joined(s, "c3", 0, "viewer")
    for client in (c1, c2, c3):
        await ask(client, {"type": "subscribe", "stream": "market_data", "id": 1})
    await ask(c1, {"type": "unsubscribe", "stream": "market_data", "id": 2})
    await leave(s, c2)
    await s.sleep(SETTLE_MS)
    assert await broadcast_on(s, 0, "market_data", TICK) == 1
    await frames(c3, 1)
    await ask_all(c1, [{"type": "ping", "id": 3}])


@scenario(name="cluster_rate_limit", tags=["cluster", "limits"], settings={"rate_limit": 4})
async def cluster_rate_limit(s):
    """rate_limit 4 per IP counts the requests made on every instance: two on each, then the next
    on either instance is rate limited"""
    c1, _ = await joined(s, "c1", 0)
    c2, _ = await joined(s, "c2", 1)
    await ask_all(c1, [{"type": "ping", "id": 1}, {"type": "ping", "id": 2}])
    await ask_all(c2, [{"type": "ping", "id": 3}, {"type": "ping", "id": 4}])
    await ask(c1, {"type": "ping", "id": 5})
    await ask(c2, {"type": "ping", "id": 6})


@scenario(name="cluster_login_lockout", tags=["cluster", "auth", "errors"],
          settings={"lockout_threshold": 3, "lockout_seconds": 30})
async def cluster_login_lockout(s):
    """failed logins on different instances count toward one lockout: two on instance 0, one on
    instance 1, then the right password is refused on both"""
    bad = {"type": "login", "username": "trader", "password": "bad"}
    c1, _ = await joined(s, "c1", 0)
    c2, _ = await joined(s, "c2", 1)
    await ask_all(c1, [dict(bad, id=1), dict(bad, id=2)])
    await ask(c2, dict(bad, id=3))
    await ask(c2, {"type": "login", "username": "trader", "password": "trader123", "id": 4})
    await ask(c1, {"type": "login", "username": "trader", "password": "trader123", "id": 5})
    await ask(c1, {"type": "login", "username": "viewer", "password": "viewer123", "id": 6})


@scenario(name="cluster_refresh_token", tags=["cluster", "auth"])
async def cluster_refresh_token(s):
    """a refresh token issued on instance 0 is used once on instance 1 (a new pair); used again on
    either instance it is refused; the new access token logs in on instance 0"""
    c1, _ = await joined(s, "c1", 0)
    tokens = await ask(c1, {"type": "login", "username": "trader", "password": "trader123", "id": 1})
    c2, _ = await joined(s, "c2", 1)
    second = await ask(c2, {"type": "refresh_token", "refresh_token": tokens["refresh_token"], "id": 2})
    await ask(c2, {"type": "refresh_token", "refresh_token": tokens["refresh_token"], "id": 3})
    await ask(c1, {"type": "refresh_token", "refresh_token": tokens["refresh_token"], "id": 4})
    c3, _ = await joined(s, "c3", 0)
    await ask_all(c3, [
        {"type": "login", "token": second["access_token"], "id": 5},
        {"type": "subscribe", "stream": "positions", "id": 6},
    ])
