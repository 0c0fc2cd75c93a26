"""Boundaries of the core: JSON depth limit, token claims and TTLs per kind, symbol length, run-config
upper bounds, and the stats counters behind `command`."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import jwt  # noqa: E402

from _support import ask, ask_all, connect, leave, login, requests  # noqa: E402
from harness.scenario import scenario  # noqa: E402

SECRET = "strength-core-known-secret-of-at-least-32-bytes"
FAR_FUTURE = 4102444800  # 2100-01-01: fixed claims keep the forged tokens identical in every run


def _forged(**claims) -> str:
    payload = {"sub": "trader", "permissions": ["read"], "type": "access", "iat": 1700000000,
               "exp": FAR_FUTURE, "jti": "0000000000000000"}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, SECRET, algorithm="HS256")


def _echo(data_text: str, extra: str = "") -> str:
    return '{"type": "echo", "data": ' + data_text + extra + "}"


def _arrays(n: int) -> str:
    return "[" * n + "]" * n


def _objects(n: int) -> str:
    return '{"a": ' * n + "1" + "}" * n


def _mixed(n: int) -> str:
    """n levels alternating array / object."""
    opening, closing = "", ""
    for level in range(n):
        if level % 2:
            opening, closing = opening + '{"k": ', "}" + closing
        else:
            opening, closing = opening + "[", "]" + closing
    return opening + "0" + closing


requests("json_depth_boundaries",
         "nesting exactly at the 64 limit (arrays, objects, mixed; extra brackets inside strings so the "
         "bracket pre-filter is passed) is accepted, one above is invalid_json; many brackets with shallow "
         "nesting (in strings, sibling arrays, a top-level array) are not a depth error",
         ["protocol", "errors", "limits"], [
    # the enclosing message object is level 1: 63 more levels = depth 64 (accepted)
    _echo(_arrays(63), ', "pad": "["'),
    _echo(_objects(63), ', "pad": "{{"'),
    _echo(_mixed(63), ', "pad": "[{"'),
    # one above the limit: depth 65 (rejected)
    _echo(_arrays(64)),
    _echo(_objects(64)),
    _echo(_mixed(64)),
    # exactly at the limit with far more brackets than levels
    _echo(_arrays(63), ', "pad": "' + "[" * 200 + '"'),
    # shallow: brackets in a string, many sibling arrays / objects
    _echo('"' + "[" * 100 + "{" * 100 + '"'),
    _echo("[" + ", ".join(["[]"] * 80) + "]"),
    _echo("[" + ", ".join(["{}"] * 80) + "]"),
    # deep half-way (33 levels) with many brackets
    _echo(_arrays(32), ', "pad": "' + "[" * 40 + '"'),
    # non-object values with many brackets: depth check first, then invalid_message
    "[" + ", ".join(["[]"] * 80) + "]",
    _arrays(64),
    _arrays(65),
    '"' + "[" * 100 + '"',
    {"type": "ping", "id": 1},
], user=None)

requests("token_required_claims",
         "with a known jwt_secret: a forged token without exp or without sub is Invalid token, a complete "
         "one logs in, an expired one says Token has expired", ["auth", "errors"], [
    {"type": "login", "token": _forged(exp=None), "id": 1},
    {"type": "login", "token": _forged(sub=None), "id": 2},
    {"type": "login", "token": _forged(exp=None, type="refresh"), "id": 3},
    {"type": "refresh_token", "refresh_token": _forged(exp=None, type="refresh"), "id": 4},
    {"type": "login", "token": _forged(exp=1000000000), "id": 5},
    {"type": "login", "token": _forged(), "id": 6},
    {"type": "handshake", "id": 7},
], user=None, settings={"jwt_secret": SECRET})


@scenario(name="token_ttls_per_kind", tags=["auth", "errors"],
          settings={"access_token_ttl": -10, "refresh_token_ttl": 3600})
async def token_ttls_per_kind(s):
    """access tokens use access_token_ttl (already expired here), refresh tokens refresh_token_ttl (valid):
    token login says Token has expired, refresh works, the refreshed access token is an (expired) access
    token, the refreshed refresh token works again"""
    c1, _ = await connect(s, "c1")
    tokens = await ask(c1, {"type": "login", "username": "trader", "password": "trader123", "id": 1})
    await ask(c1, {"type": "login", "token": tokens["access_token"], "id": 2})
    second = await ask(c1, {"type": "refresh_token", "refresh_token": tokens["refresh_token"], "id": 3})
    await ask_all(c1, [
        {"type": "login", "token": second["access_token"], "id": 4},
        {"type": "login", "token": second["refresh_token"], "id": 5},
        {"type": "refresh_token", "refresh_token": second["access_token"], "id": 6},
        {"type": "refresh_token", "refresh_token": second["refresh_token"], "id": 7},
    ])


@scenario(name="token_refreshed_access_works", tags=["auth"])
async def token_refreshed_access_works(s):
    """the access token from refresh_token is an access token: it logs in another connection"""
    c1, _ = await connect(s, "c1")
    tokens = await ask(c1, {"type": "login", "username": "viewer", "password": "viewer123", "id": 1})
    second = await ask(c1, {"type": "refresh_token", "refresh_token": tokens["refresh_token"], "id": 2})
    c2, _ = await connect(s, "c2")
    await ask_all(c2, [
        {"type": "login", "token": second["access_token"], "id": 3},
        {"type": "handshake", "id": 4},
    ])


requests("symbol_length_limit",
         "a symbol of 32 characters is checked against the allowed list, one of 33 is a format error",
         ["subscriptions", "errors"], [
    {"type": "subscribe", "stream": "market_data", "symbols": ["A" * 15 + "_" + "B" * 16], "id": 1},
    {"type": "subscribe", "stream": "market_data", "symbols": ["A" * 16 + "_" + "B" * 16], "id": 2},
    {"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt", "a" * 16 + "_" + "b" * 16], "id": 3},
    {"type": "subscribe", "stream": "market_data", "symbols": ["A" * 40 + "_B"], "id": 4},
])

_START = {"type": "session_start", "session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
          "idempotent": "yes"}
_CONFIGS = [{"bars": 1000}, {"initial_capital": 1e12}, {"quantity": 1e6},
            {"bars": 1000, "initial_capital": 1000000000000, "quantity": 1000000},
            {"bars": 1001}, {"initial_capital": 1.0000001e12}, {"quantity": 1000000.1}]
requests("run_config_upper_bounds",
         "session_start config at its upper bounds (bars 1000, initial_capital 1e12, quantity 1e6) is valid: "
         "the next check (idempotent) answers; one above each bound is invalid", ["sessions", "errors"],
         [{**_START, "id": n, "config": config} for n, config in enumerate(_CONFIGS, 1)])


@scenario(name="stats_sessions_and_reconnects", tags=["protocol", "admin", "sessions", "reconnect"],
          settings={"bar_interval": 5})
async def stats_sessions_and_reconnects(s):
    """get_stats counts running trading sessions (one running paper session, two stopped ones) and
    reconnections made with the `reconnect` message; health_check alongside"""
    c1, _ = await login(s, "c1", "trader")
    await ask(c1, {"type": "session_start", "session_type": "paper", "id": 1,
                   "strategy_config": {"RSIStrategy": ["BTC_USDT"]}})
    await c1.recv()  # session_update running
    c2, _ = await login(s, "c2", "viewer")
    await ask(c2, {"type": "session_start", "session_type": "paper", "id": 2,
                   "strategy_config": {"BollingerBands": ["ETH_USDT"]}})
    c3, _ = await login(s, "c3", "admin")
    for start, stop in ((3, 4), (13, 14)):  # two stopped sessions next to the running one
        await ask(c3, {"type": "session_start", "session_type": "paper", "id": start,
                       "strategy_config": {"BollingerBands": ["ETH_USDT"]}})
        await c3.recv()  # session_update running
        await ask(c3, {"type": "session_stop", "id": stop})
        await c3.recv()  # session_update stopped
    c4, welcome = await login(s, "c4", "viewer")
    await ask(c4, {"type": "subscribe", "stream": "account"})
    await leave(s, c4)
    c5, _ = await connect(s, "c5")
    await ask(c5, {"type": "reconnect", "reconnect_token": welcome["reconnect_token"], "id": 5})
    await ask_all(c3, [
        {"type": "command", "command": "get_stats", "id": 6},
        {"type": "command", "command": "health_check", "id": 7},
    ])
