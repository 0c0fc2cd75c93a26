"""Authentication: login/auth, lockout, token login, logout and refresh tokens."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import jwt  # noqa: E402

from _support import ask, ask_all, connect, login, requests  # noqa: E402
from harness.scenario import scenario  # noqa: E402

DEV_SECRET = "legacy-development-jwt-secret-change-me-in-production"
FAR_FUTURE = 4102444800  # 2100-01-01: fixed claims keep the forged tokens identical in every run


def forged(secret: str = DEV_SECRET, algorithm: str = "HS256", **claims) -> str:
    """A token the server never issued (fixed claims, so the recording is stable)."""
    payload = {"sub": "trader", "permissions": ["read"], "type": "access", "iat": 1700000000,
               "exp": FAR_FUTURE, "jti": "0000000000000000"}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret if algorithm != "none" else None, algorithm=algorithm)


requests("login_success", "login as each user (trader, admin, viewer) and the `auth` alias; re-login replaces the identity",
         ["auth"], [
    {"type": "login", "username": "trader", "password": "trader123", "id": 1},
    {"type": "handshake"},
    {"type": "login", "username": "admin", "password": "admin123", "id": 2},
    {"type": "auth", "username": "viewer", "password": "viewer123", "id": 3},
    {"type": "command", "command": "health_check", "id": 4},
], user=None)

requests("login_custom_passwords", "passwords from the `passwords` setting replace the defaults",
         ["auth"], [
    {"type": "login", "username": "trader", "password": "trader123", "id": 1},
    {"type": "login", "username": "trader", "password": "Tr4der-secret", "id": 2},
    {"type": "login", "username": "viewer", "password": "viewer123", "id": 3},
], user=None, settings={"passwords": {"trader": "Tr4der-secret"}})

requests("login_errors", "login errors: bad password, unknown user, missing/null fields, non-string fields",
         ["auth", "errors"], [
    {"type": "login", "username": "trader", "password": "wrong", "id": 1},
    {"type": "login", "username": "mallory", "password": "whatever", "id": 2},
    {"type": "login", "id": 3},
    {"type": "login", "username": "trader", "id": 4},
    {"type": "login", "password": "trader123", "id": 5},
    {"type": "login", "username": None, "password": None},
    {"type": "login", "username": 42, "password": "x", "session_id": "sess-7"},
    {"type": "login", "username": "trader", "password": 123},
    {"type": "login", "username": ["trader"], "password": ["x"]},
    {"type": "login", "username": "trader", "password": ""},
    {"type": "logout", "id": 6},
], user=None)


@scenario(name="login_lockout", tags=["auth", "errors"],
          settings={"lockout_threshold": 3, "lockout_seconds": 1.0})
async def login_lockout(s):
    """lockout after 3 failures (the 3rd still says authentication_failed), account_locked even with
    the right password, unknown usernames counted too, lock expiry, a success resets the count"""
    c1, _ = await connect(s, "c1")
    bad = {"type": "login", "username": "trader", "password": "bad"}
    await ask_all(c1, [
        dict(bad, id=1), dict(bad, id=2),
        {"type": "login", "username": "trader", "password": "trader123", "id": 3},  # resets the count
        dict(bad, id=4), dict(bad, id=5), dict(bad, id=6),
        {"type": "login", "username": "trader", "password": "trader123", "id": 7},
        {"type": "login", "username": "nobody", "password": "a"},
        {"type": "login", "username": "nobody", "password": "b"},
        {"type": "login", "username": "nobody", "password": "c"},
        {"type": "login", "username": "nobody", "password": "d"},
        {"type": "login", "username": "viewer", "password": "viewer123", "id": 8},
    ])
    await s.sleep(1300)
    await ask_all(c1, [
        {"type": "login", "username": "trader", "password": "trader123", "id": 9},
        dict(bad, id=10),
    ])


@scenario(name="token_login", tags=["auth"])
async def token_login(s):
    """login with an access token on a second connection (username/password ignored when `token` is present)"""
    c1, _ = await login(s, "c1", "admin")
    first = await ask(c1, {"type": "login", "username": "trader", "password": "trader123", "id": 1})
    c2, _ = await connect(s, "c2")
    await ask_all(c2, [
        {"type": "auth", "token": first["access_token"], "id": 2},
        {"type": "login", "token": first["access_token"], "username": "admin", "password": "nope", "id": 3},
        {"type": "subscribe", "stream": "orders", "id": 4},
    ])


requests("token_login_errors", "token login errors: empty/non-string token, garbage, refresh token, alg none, "
         "unknown user, missing exp, wrong signature", ["auth", "errors"], [
    {"type": "login", "token": "", "id": 1},
    {"type": "login", "token": 17, "id": 2},
    {"type": "login", "token": None, "id": 3},
    {"type": "login", "token": "not-a-jwt", "id": 4},
    {"type": "login", "token": forged(algorithm="none"), "id": 5},
    {"type": "login", "token": forged(sub="mallory"), "id": 6},
    {"type": "login", "token": forged(exp=None), "id": 7},
    {"type": "login", "token": forged(secret="some-other-secret-of-32-bytes-or-more!"), "id": 8},
    {"type": "login", "token": forged(algorithm="HS512", secret="x" * 64), "id": 9},
    {"type": "handshake", "id": 10},
], user=None)


@scenario(name="token_wrong_type", tags=["auth", "errors"])
async def token_wrong_type(s):
    """a refresh token is not an access token and an access token is not a refresh token"""
    c1, _ = await connect(s, "c1")
    tokens = await ask(c1, {"type": "login", "username": "viewer", "password": "viewer123", "id": 1})
    await ask_all(c1, [
        {"type": "login", "token": tokens["refresh_token"], "id": 2},
        {"type": "refresh_token", "refresh_token": tokens["access_token"], "id": 3},
    ])


@scenario(name="token_expired", tags=["auth", "errors"],
          settings={"access_token_ttl": -10, "refresh_token_ttl": -10})
async def token_expired(s):
    """issued tokens already expired (negative TTLs): token login and refresh answer `Token has expired`"""
    c1, _ = await connect(s, "c1")
    tokens = await ask(c1, {"type": "login", "username": "trader", "password": "trader123", "id": 1})
    await ask_all(c1, [
        {"type": "login", "token": tokens["access_token"], "id": 2},
        {"type": "refresh_token", "refresh_token": tokens["refresh_token"], "id": 3},
    ])


@scenario(name="logout", tags=["auth", "subscriptions"])
async def logout(s):
    """logout (anonymous -> authentication_required); re-login keeps subscriptions, logout drops them"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        {"type": "logout", "id": 1},
        {"type": "login", "username": "trader", "password": "trader123", "id": 2},
        {"type": "subscribe", "stream": "orders", "id": 3},
        {"type": "login", "username": "viewer", "password": "viewer123", "id": 4},
        {"type": "subscribe", "stream": "orders", "id": 5},
        {"type": "logout", "id": 6},
        {"type": "subscribe", "stream": "orders", "id": 7},
        {"type": "logout", "id": 8},
        {"type": "login", "username": "trader", "password": "trader123", "id": 9},
        {"type": "subscribe", "stream": "orders", "id": 10},
        {"type": "handshake", "id": 11},
    ])


@scenario(name="refresh_token", tags=["auth"])
async def refresh_token(s):
    """refresh_token: new token pair, single use (reuse -> Invalid token), authenticates another connection"""
    c1, _ = await connect(s, "c1")
    tokens = await ask(c1, {"type": "login", "username": "trader", "password": "trader123", "id": 1})
    second = await ask(c1, {"type": "refresh_token", "refresh_token": tokens["refresh_token"], "id": 2})
    await ask(c1, {"type": "refresh_token", "refresh_token": tokens["refresh_token"], "id": 3})
    c2, _ = await connect(s, "c2")
    await ask_all(c2, [
        {"type": "handshake", "id": 4},
        {"type": "refresh_token", "refresh_token": second["refresh_token"], "id": 5},
        {"type": "handshake", "id": 6},
        {"type": "subscribe", "stream": "positions", "id": 7},
    ])


requests("refresh_token_errors", "refresh_token errors: missing, null, empty, non-string, garbage", ["auth", "errors"], [
    {"type": "refresh_token", "id": 1},
    {"type": "refresh_token", "refresh_token": None, "id": 2},
    {"type": "refresh_token", "refresh_token": "", "id": 3},
    {"type": "refresh_token", "refresh_token": 99, "id": 4},
    {"type": "refresh_token", "refresh_token": "garbage.token.value", "session_id": "s1", "id": 5},
    {"type": "refresh_token", "refresh_token": forged(type="refresh", sub="nobody"), "id": 6},
], user=None)
