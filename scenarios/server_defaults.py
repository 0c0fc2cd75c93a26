"""Server-wide defaults and constructor settings: the default rate limit, health windows, a configured JWT secret."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import STATS, ask, connect, login  # noqa: E402
from harness.scenario import scenario  # noqa: E402


@scenario(name="rate_limit_default", tags=["limits", "errors"])
async def rate_limit_default(s):
    """the default rate limit (100 messages a minute per IP, no settings): the 100th message is
    answered, the 101st gets rate_limit_exceeded"""
    c1, _ = await connect(s, "c1")
    for n in range(1, 102):
        await ask(c1, {"type": "ping", "id": n})


@scenario(name="health_windows", tags=["admin", "connections"], settings={"heartbeat_interval": 0.5})
async def health_windows(s):
    """heartbeat_interval 0.5 s: a connection is healthy while its last ping is at most two intervals
    old; get_stats counts healthy connections before and after 1.2 s of silence, and after a ping"""
    admin, _ = await login(s, "c1", "admin")
    quiet, _ = await connect(s, "c2")
    await ask(quiet, {"type": "ping", "id": "q1"})
    await ask(admin, {"type": "ping", "id": "a1"})
    await ask(admin, {**STATS, "id": "fresh"})
    await s.sleep(1200)
    await ask(admin, {**STATS, "id": "silent"})
    await ask(admin, {"type": "heartbeat", "id": "a2"})
    await ask(admin, {**STATS, "id": "admin pinged again"})


@scenario(name="health_message_window", tags=["admin", "connections"])
async def health_message_window(s):
    """default heartbeat (30 s): connections heard from 0.3 s ago are healthy in get_stats"""
    admin, _ = await login(s, "c1", "admin")
    other, _ = await connect(s, "c2")
    await ask(other, {"type": "ping", "id": "o1"})
    await ask(admin, {"type": "ping", "id": "a1"})
    await s.sleep(300)
    await ask(admin, {**STATS, "id": "after 0.3 s"})


@scenario(name="configured_jwt_secret", tags=["auth"],
          settings={"jwt_secret": "a-configured-signing-secret-for-the-corpus-0123456789"})
async def configured_jwt_secret(s):
    """a jwt_secret from the settings (a constructor keyword): login, refresh and token login work"""
    c1, _ = await connect(s, "c1")
    reply = await ask(c1, {"type": "login", "id": 1, "username": "trader", "password": "trader123"})
    refreshed = await ask(c1, {"type": "refresh_token", "id": 2, "refresh_token": reply["refresh_token"]})
    c2, _ = await connect(s, "c2")
    await ask(c2, {"type": "login", "id": 3, "token": refreshed["access_token"]})


@scenario(name="production_with_jwt_secret", tags=["auth"],
          settings={"environment": "production", "jwt_secret": "a-production-signing-secret-for-the-corpus-9876543210"})
async def production_with_jwt_secret(s):
    """environment production with a jwt_secret: the server starts and signs tokens as usual"""
    c1, _ = await connect(s, "c1")
    await ask(c1, {"type": "login", "id": 1, "username": "viewer", "password": "viewer123"})
    await ask(c1, {"type": "version", "id": 2})
