"""Security: path traversal, rate flood, reconnect tokens, JWT tampering, lockout, abrupt disconnects.

Recordings named `*_unsafe` capture legacy behaviour the refactored server fixes on purpose
(declared waivers, see docs/SECURITY.md); the others must match on both servers.
"""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _hostile import (DEV_SECRET, ask, ask_all, connect, crafted_token, login, reply,  # noqa: E402
                      still_serving)
from harness.scenario import scenario  # noqa: E402

RELAXED = {"rate_limit": 100_000}


def upsert(name, n):
    return {"type": "upsert_strategy", "id": n, "strategy_name": name, "config": {"alpha": n}}


@scenario(name="hostile_strategy_name_invalid", tags=["hostile", "strategies", "traversal"], settings=RELAXED)
async def hostile_strategy_name_invalid(s):
    """strategy names that can never be a file (NUL, empty, non-string, too long) are refused on both servers"""
    c1, _ = await login(s, "c1", "admin")
    await ask_all(c1, [
        upsert("a\u0000b", 1), upsert("\u0000", 2), upsert("", 3), upsert(None, 4), upsert(7, 5),
        upsert(["../x"], 6), upsert("N" * 300, 7), {"type": "get_strategies", "id": 8},
    ])
    await still_serving(s)


@scenario(name="hostile_strategy_traversal_unsafe", tags=["hostile", "strategies", "traversal", "unsafe"],
          settings=RELAXED)
async def hostile_strategy_traversal_unsafe(s):
    """`../`, absolute and nested strategy names: the legacy joins them into the path unchecked and writes
    outside strategies_dir (or fails for a missing directory); the refactored server refuses them"""
    c1, _ = await login(s, "c1", "admin")
    await ask_all(c1, [
        upsert("../wsgm_hostile_escape", 1), upsert("./../wsgm_hostile_escape2", 2),
        upsert("/tmp/wsgm_hostile_absolute", 3), upsert("nested/../../wsgm_hostile_escape3", 4),
        upsert("missing_dir/x", 5), upsert("..", 6), upsert(".", 7), upsert("..\\wsgm_hostile_backslash", 8),
        upsert("%2e%2e%2fwsgm_hostile_encoded", 9), {"type": "get_strategies", "id": 10},
    ])
    await still_serving(s)


@scenario(name="hostile_rate_flood", tags=["hostile", "limits"], settings={"rate_limit": 20})
async def hostile_rate_flood(s):
    """200 pipelined requests against rate_limit 20: 20 answered, 180 rate_limit_exceeded, one reply each;
    the limit is per IP, so a second loopback client is limited too but still gets structured replies"""
    c1, _ = await connect(s, "c1")
    for n in range(200):
        await c1.send({"type": "ping", "id": n, "session_id": "flood" if n % 2 else None})
    for _ in range(200):
        await reply(c1)
    c2, _ = await connect(s, "c2")
    await ask_all(c2, [{"type": "ping", "id": "c2"}, "{bad json", "[]"])
    await c2.send_binary(b"\x00")
    await c2.recv()


async def leave(s, client, name):
    """Disconnect `client` cleanly and wait until the server saw it go."""
    await client.close()
    await client.expect_closed()
    await s.sleep(50)


@scenario(name="hostile_reconnect_tokens", tags=["hostile", "reconnect"], settings={"session_ttl": 0.3})
async def hostile_reconnect_tokens(s):
    """reconnect tokens that both servers refuse: made-up ids, wrong shapes, a token of a client that is
    still connected (replayed while in use), and an expired one"""
    c1, first = await login(s, "c1", "trader")
    c2, _ = await connect(s, "c2")
    await ask_all(c2, [
        {"type": "reconnect", "id": 1, "reconnect_token": "client_0000000000000000:" + "0" * 20},
        {"type": "reconnect", "id": 2, "reconnect_token": ":"},
        {"type": "reconnect", "id": 3, "reconnect_token": "::::"},
        {"type": "reconnect", "id": 4, "reconnect_token": "client_\u0000:x"},
        {"type": "reconnect", "id": 5, "reconnect_token": first["reconnect_token"]},
        {"type": "reconnect", "id": 6, "reconnect_token": first["client_id"]},
    ])
    await leave(s, c1, "c1")
    c3, back = await connect(s, "c3", headers={"X-Reconnect-Token": first["reconnect_token"]})
    assert back["status"] == "reconnected", back
    await ask(c2, {"type": "reconnect", "id": 7, "reconnect_token": first["reconnect_token"]})
    c4, again = await connect(s, "c4", headers={"X-Reconnect-Token": back["reconnect_token"]})
    assert again["status"] == "connected", again
    await leave(s, c3, "c3")
    await s.sleep(500)
    await ask(c2, {"type": "reconnect", "id": 8, "reconnect_token": back["reconnect_token"]})
    await ask(c4, {"type": "handshake", "id": 9})
    await still_serving(s)


@scenario(name="hostile_reconnect_forged_unsafe", tags=["hostile", "reconnect", "unsafe"])
async def hostile_reconnect_forged_unsafe(s):
    """forged `<client_id>:anything` tokens and a token already used once: the legacy checks only the
    client-id prefix and hands the session (user, subscriptions) over; the refactored server refuses them"""
    c1, first = await login(s, "c1", "trader")
    await ask(c1, {"type": "subscribe", "stream": "orders", "id": 1})
    await leave(s, c1, "c1")
    c2, stolen = await connect(s, "c2", headers={"X-Reconnect-Token": first["client_id"] + ":forged"})
    await ask(c2, {"type": "subscribe", "stream": "orders", "id": 2})
    await leave(s, c2, "c2")
    c3, _ = await connect(s, "c3")
    await ask(c3, {"type": "reconnect", "id": 3, "reconnect_token": first["client_id"] + ":" + "f" * 20})
    await ask(c3, {"type": "handshake", "id": 4})
    await leave(s, c3, "c3")
    c4, _ = await connect(s, "c4")
    await ask(c4, {"type": "reconnect", "id": 5, "reconnect_token": first["reconnect_token"]})
    await ask(c4, {"type": "handshake", "id": 6})
    await still_serving(s)


@scenario(name="hostile_jwt_rejected", tags=["hostile", "auth", "jwt"],
          settings={"rate_limit": 100_000, "access_token_ttl": -10, "refresh_token_ttl": -10})
async def hostile_jwt_rejected(s):
    """tampered, expired, `alg: none`, wrong-secret and wrong-algorithm JWTs: Invalid token / Token has expired"""
    c1, _ = await connect(s, "c1")
    issued = await ask(c1, {"type": "login", "id": 1, "username": "trader", "password": "trader123"})
    access, refresh = issued["access_token"], issued["refresh_token"]
    await ask_all(c1, [
        {"type": "logout", "id": 2},
        {"type": "login", "id": 3, "token": access},
        {"type": "refresh_token", "id": 4, "refresh_token": refresh},
        {"type": "login", "id": 5, "token": access + "x"},
        {"type": "login", "id": 6, "token": "x" + access},
        {"type": "login", "id": 7, "token": access + "." + access},
        {"type": "refresh_token", "id": 8, "refresh_token": refresh + "AA"},
        {"type": "login", "id": 9, "token": crafted_token()},
        {"type": "login", "id": 10, "token": crafted_token(algorithm="none")},
        {"type": "login", "id": 11, "token": crafted_token(algorithm="none") + "e30"},
        {"type": "login", "id": 12, "token": crafted_token(algorithm="HS512", secret="y" * 64)},
        {"type": "refresh_token", "id": 13, "refresh_token": crafted_token(type="refresh")},
        {"type": "login", "id": 14, "token": "eyJhbGciOiJIUzI1NiJ9.e30."},
        {"type": "login", "id": 15, "token": "a.b.c"},
        {"type": "login", "id": 16, "token": "...."},
        {"type": "subscribe", "id": 17, "stream": "orders"},
    ])
    await still_serving(s)


@scenario(name="hostile_jwt_dev_secret_unsafe", tags=["hostile", "auth", "jwt", "unsafe"])
async def hostile_jwt_dev_secret_unsafe(s):
    """an admin token forged with the legacy's public development secret: the legacy accepts it (and refuses
    an expired one as expired); the refactored server, with a per-process random secret, refuses both"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        {"type": "login", "id": 1, "token": crafted_token(secret=DEV_SECRET)},
        {"type": "command", "id": 2, "command": "health_check"},
        {"type": "logout", "id": 3},
        {"type": "login", "id": 4, "token": crafted_token(secret=DEV_SECRET, exp=1700000100)},
        {"type": "refresh_token", "id": 5, "refresh_token": crafted_token(secret=DEV_SECRET, type="refresh")},
        {"type": "refresh_token", "id": 6, "refresh_token": crafted_token(secret=DEV_SECRET, type="refresh")},
    ])
    await still_serving(s)


@scenario(name="hostile_login_lockout", tags=["hostile", "auth", "lockout"], settings=RELAXED)
async def hostile_login_lockout(s):
    """5 failed logins lock the account (even the right password is refused), also for unknown users;
    the lock is per username string; other users and other clients are unaffected"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [{"type": "login", "id": n, "username": "trader", "password": f"wrong{n}"}
                       for n in range(1, 6)])
    await ask_all(c1, [
        {"type": "login", "id": 6, "username": "trader", "password": "trader123"},
        {"type": "auth", "id": 7, "username": "trader", "password": "trader123"},
        {"type": "login", "id": 8, "username": "Trader", "password": "trader123"},
        {"type": "login", "id": 9, "username": "viewer", "password": "viewer123"},
    ])
    await ask_all(c1, [{"type": "login", "id": n, "username": "mallory", "password": "x"} for n in range(10, 16)])
    c2, _ = await connect(s, "c2")
    await ask(c2, {"type": "login", "id": 16, "username": "trader", "password": "trader123"})
    await still_serving(s)


@scenario(name="hostile_disconnect_during_session", tags=["hostile", "sessions", "faults"],
          settings={"bar_interval": 5})
async def hostile_disconnect_during_session(s):
    """the owner of a running session and of a running collection drops without a close handshake:
    the session keeps running for the user, who can find and stop it from a new connection
    (its `stopped` update goes to the dropped owner connection, so the new one gets only the reply)"""
    c1, _ = await login(s, "c1", "trader")
    await ask(c1, {"type": "session_start", "id": 1, "session_type": "backtest",
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 100}})
    await c1.recv()
    await ask(c1, {"type": "collection_start", "id": 2, "symbols": ["BTC_USDT"], "duration": "1h"})
    c1.ws.transport.abort()
    await c1.expect_closed()
    await s.sleep(50)
    c2, _ = await login(s, "c2", "trader")
    await ask(c2, {"type": "session_start", "id": 3, "session_type": "paper",
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}})
    await ask(c2, {"type": "session_stop", "id": 4})
    await ask(c2, {"type": "session_status", "id": 5})
    await still_serving(s)
