"""Login, tokens, lockout, logout, refresh."""

import asyncio
import time

import jwt
import pytest

from legacy.websocket_server import DEFAULT_JWT_SECRET
from legacy_support import assert_error


async def test_login_success(client):
    r = await client.login("trader")
    assert list(r) == ["type", "status", "client_id", "user", "access_token", "refresh_token",
                       "token_type", "expires_in", "timestamp", "request_id"]
    assert r["user"] == {"username": "trader", "permissions": ["read", "trade", "execute_live_trading"]}
    assert r["token_type"] == "Bearer" and r["expires_in"] == 3600
    payload = jwt.decode(r["access_token"], DEFAULT_JWT_SECRET, algorithms=["HS256"])
    assert payload["sub"] == "trader" and payload["type"] == "access"


@pytest.mark.parametrize("user,perms", [
    ("admin", ["read", "trade", "execute_live_trading", "admin", "manage_strategies"]),
    ("viewer", ["read"]),
])
async def test_users(client, user, perms):
    r = await client.request({"type": "AUTH", "username": user, "password": f"{user}123"})
    assert r["user"]["permissions"] == perms


async def test_login_errors(client):
    r = await client.request({"type": "login"})
    assert_error(r, "missing_parameters", "Required: username, password")
    r = await client.request({"type": "login", "username": "trader"})
    assert_error(r, "missing_parameters", "Required: password")
    r = await client.request({"type": "login", "password": "x", "username": None})
    assert_error(r, "missing_parameters", "Required: username")
    r = await client.request({"type": "login", "username": 5, "password": "x"})
    assert_error(r, "invalid_parameter", "Invalid parameter: username")
    r = await client.request({"type": "login", "username": "trader", "password": ["x"]})
    assert_error(r, "invalid_parameter", "Invalid parameter: password")
    r = await client.request({"type": "login", "username": "nobody", "password": "x"})
    assert_error(r, "authentication_failed", "Invalid username or password")
    r = await client.request({"type": "login", "username": "trader", "password": "\ud800"})
    assert_error(r, "authentication_failed", "Invalid username or password")


async def test_lockout(make_server, make_client):
    server = await make_server({"lockout_threshold": 3, "lockout_seconds": 1.0})
    c = await make_client(server)
    for _ in range(3):
        r = await c.request({"type": "login", "username": "trader", "password": "bad"})
        assert_error(r, "authentication_failed")
    r = await c.request({"type": "login", "username": "trader", "password": "trader123"})
    assert_error(r, "account_locked", "Account locked due to too many failed login attempts")
    other = await make_client(server)
    await other.login("viewer")  # other usernames unaffected
    await asyncio.sleep(1.05)
    await c.login("trader")


async def test_success_resets_failures(make_server, make_client):
    server = await make_server({"lockout_threshold": 2})
    c = await make_client(server)
    await c.request({"type": "login", "username": "trader", "password": "bad"})
    await c.login("trader")
    r = await c.request({"type": "login", "username": "trader", "password": "bad"})
    assert_error(r, "authentication_failed")
    await c.login("trader")


async def test_custom_passwords(make_server, make_client):
    server = await make_server({"passwords": {"trader": "s3cret"}})
    c = await make_client(server)
    r = await c.request({"type": "login", "username": "trader", "password": "trader123"})
    assert_error(r, "authentication_failed")
    await c.login("trader", "s3cret")
    await c.login("admin")


async def test_token_login(server, make_client):
    a = await make_client(server)
    tokens = await a.login("admin")
    b = await make_client(server)
    r = await b.request({"type": "auth", "token": tokens["access_token"]})
    assert r["status"] == "logged_in" and r["user"]["username"] == "admin"
    r = await b.request({"type": "command", "command": "health_check"})
    assert r["status"] == "command_result"


def _forge(payload, key=DEFAULT_JWT_SECRET, alg="HS256"):
    return jwt.encode(payload, key, algorithm=alg)


async def test_bad_tokens(client):
    now = int(time.time())
    good = {"sub": "admin", "permissions": [], "type": "access", "iat": now, "exp": now + 60}
    r = await client.request({"type": "auth", "token": _forge(dict(good, exp=now - 10))})
    assert_error(r, "authentication_failed", "Token has expired")
    r = await client.request({"type": "auth", "token": _forge(good, key="wrong-secret-wrong-secret-wrong-secret")})
    assert_error(r, "authentication_failed", "Invalid token")
    none_token = jwt.encode(good, None, algorithm="none")
    r = await client.request({"type": "auth", "token": none_token})
    assert_error(r, "authentication_failed", "Invalid token")
    r = await client.request({"type": "auth", "token": _forge(dict(good, type="refresh"))})
    assert_error(r, "authentication_failed", "Invalid token")
    r = await client.request({"type": "auth", "token": _forge(dict(good, sub="mallory"))})
    assert_error(r, "authentication_failed", "Invalid token")
    no_exp = dict(good)
    del no_exp["exp"]
    r = await client.request({"type": "auth", "token": _forge(no_exp)})
    assert_error(r, "authentication_failed", "Invalid token")
    tampered = _forge(good)
    head, body, sig = tampered.split(".")
    r = await client.request({"type": "auth", "token": f"{head}.{body}x.{sig}"})
    assert_error(r, "authentication_failed", "Invalid token")
    for junk in ("garbage", "a.b.c", "\ud800.x.y"):
        r = await client.request({"type": "auth", "token": junk})
        assert_error(r, "authentication_failed", "Invalid token")
    for bad in ("", 5, None, ["x"]):
        r = await client.request({"type": "auth", "token": bad})
        assert_error(r, "invalid_parameter", "Invalid parameter: token")
    r = await client.request({"type": "subscribe", "stream": "orders"})
    assert_error(r, "authentication_required")


async def test_custom_jwt_secret(make_server, make_client):
    server = await make_server(jwt_secret="another-secret-another-secret-another")
    c = await make_client(server)
    r = await c.login("trader")
    jwt.decode(r["access_token"], "another-secret-another-secret-another", algorithms=["HS256"])
    now = int(time.time())
    r = await c.request({"type": "auth", "token": _forge({"sub": "admin", "type": "access", "exp": now + 60})})
    assert_error(r, "authentication_failed", "Invalid token")


async def test_logout(trader):
    await trader.request({"type": "subscribe", "stream": "orders"})
    r = await trader.request({"type": "logout"})
    assert list(r) == ["type", "status", "client_id", "timestamp", "request_id"]
    assert r["status"] == "logged_out"
    assert_error(await trader.request({"type": "logout"}), "authentication_required", "Authentication required")
    await trader.login()
    r = await trader.request({"type": "unsubscribe", "stream": "orders"})
    assert_error(r, "not_subscribed")


async def test_refresh_token(server, make_client):
    a = await make_client(server)
    tokens = await a.login("trader")
    b = await make_client(server)
    r = await b.request({"type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert r["status"] == "token_refreshed"
    assert list(r) == ["type", "status", "client_id", "access_token", "refresh_token", "token_type",
                       "expires_in", "timestamp", "request_id"]
    assert (await b.request({"type": "subscribe", "stream": "orders"}))["status"] == "subscribed"
    again = await b.request({"type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert_error(again, "authentication_failed", "Invalid token")
    r2 = await b.request({"type": "refresh_token", "refresh_token": r["refresh_token"]})
    assert r2["status"] == "token_refreshed"
    wrong = await b.request({"type": "refresh_token", "refresh_token": tokens["access_token"]})
    assert_error(wrong, "authentication_failed", "Invalid token")


async def test_refresh_errors(client):
    assert_error(await client.request({"type": "refresh_token"}), "missing_parameters", "Required: refresh_token")
    for bad in (1, "", {"a": 1}):
        r = await client.request({"type": "refresh_token", "refresh_token": bad})
        assert_error(r, "invalid_parameter", "Invalid parameter: refresh_token")
    now = int(time.time())
    expired = _forge({"sub": "trader", "type": "refresh", "exp": now - 5})
    r = await client.request({"type": "refresh_token", "refresh_token": expired})
    assert_error(r, "authentication_failed", "Token has expired")


async def test_short_token_ttl(make_server, make_client):
    server = await make_server({"access_token_ttl": 1})
    c = await make_client(server)
    r = await c.login("trader")
    assert r["expires_in"] == 1
    payload = jwt.decode(r["access_token"], DEFAULT_JWT_SECRET, algorithms=["HS256"])
    assert payload["exp"] - payload["iat"] == 1
