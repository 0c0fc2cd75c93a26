"""Helpers shared by the hostile-input scenarios (files starting with `_` are not scenario files)."""

from __future__ import annotations

from typing import Any

import jwt

PASSWORDS = {"admin": "admin123", "trader": "trader123", "viewer": "viewer123"}
REPLY_TYPES = ("response", "error", "pong")
# The legacy development default secret is public (docs/PROTOCOL.md); tokens signed with it are
# forgeries that only an unsafe server accepts.
DEV_SECRET = "legacy-development-jwt-secret-change-me-in-production"
WRONG_SECRET = "not-the-server-secret-but-long-enough-for-hs256!"
FAR_FUTURE = 4102444800  # 2100-01-01: fixed claims keep crafted tokens identical in every run
CRAFTED_CLAIM = "wsgm_crafted"  # marks tokens made by a scenario (the secrets scan allows only these)


def crafted_token(secret: str | None = WRONG_SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    """A JWT the server never issued, with fixed claims (stable across runs)."""
    payload = {"sub": "admin", "permissions": ["read", "trade", "execute_live_trading", "admin",
                                               "manage_strategies"],
               "type": "access", "iat": 1700000000, "exp": FAR_FUTURE, "jti": "hostile0000000000",
               CRAFTED_CLAIM: True}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret if algorithm != "none" else None, algorithm=algorithm)


async def reply(client) -> Any:
    """The next reply frame (pushed frames before it are recorded and skipped)."""
    for _ in range(1000):
        frame = await client.recv()
        if isinstance(frame, dict) and frame.get("type") in REPLY_TYPES:
            return frame
    raise AssertionError(f"{client.name}: no reply within 1000 frames")


async def ask(client, message: Any) -> Any:
    """Send one request and return its reply."""
    await client.send(message)
    return await reply(client)


async def ask_all(client, messages: list[Any]) -> list[Any]:
    return [await ask(client, message) for message in messages]


async def connect(s, name: str, headers: dict[str, str] | None = None):
    """Open a client and read its welcome; returns (client, welcome)."""
    client = await s.connect(name, headers=headers)
    return client, await client.recv()


async def login(s, name: str, user: str | None):
    """Open a client and log in as `user` (None: anonymous); returns (client, welcome)."""
    client, welcome = await connect(s, name)
    if user is not None:
        answer = await ask(client, {"type": "login", "id": f"login-{name}", "username": user,
                                    "password": PASSWORDS[user]})
        assert answer.get("status") == "logged_in", answer
    return client, welcome


async def still_serving(s, name: str = "bystander") -> None:
    """A fresh client is welcomed and answered: the server kept serving others."""
    client, welcome = await connect(s, name)
    assert welcome.get("status") == "connected", welcome
    pong = await ask(client, {"type": "ping", "id": f"{name}-ping"})
    assert pong.get("type") == "pong", pong
    await client.close()
    await client.expect_closed()


def assert_no_traceback(frame: Any) -> None:
    text = frame if isinstance(frame, str) else repr(frame)
    assert "Traceback" not in text and 'File "' not in text, text[:500]
