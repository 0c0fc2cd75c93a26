"""Security expectations: the refactored server fixes the legacy's unsafe behaviour; the legacy's
unsafe behaviour is asserted as legacy behaviour (docs/SECURITY.md)."""

from __future__ import annotations

import asyncio
import time

import jwt
import pytest

from hostile_support import assert_error

DEV_SECRET = "legacy-development-jwt-secret-change-me-in-production"
ADMIN_CLAIMS = {"sub": "admin", "permissions": ["admin"], "type": "access", "iat": 1700000000,
                "exp": 4102444800, "jti": "forged"}


def outside_files(root, strategies_dir):
    """Files under `root` that are not inside `strategies_dir`."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and strategies_dir not in p.parents)


async def test_strategy_name_traversal(impl, make_server, make_client, still_serving, tmp_path):
    strategies = tmp_path / "a" / "strategies"
    strategies.mkdir(parents=True)
    server = await make_server({"strategies_dir": str(strategies)})
    admin = await make_client(server)
    await admin.login("admin")
    names = ["../escape", "../../escape2", str(tmp_path / "absolute"), "x\u0000y", "../" * 40 + "tmp/deep"]
    replies = [await admin.request({"type": "upsert_strategy", "strategy_name": n, "config": {"a": 1}})
               for n in names]
    for frame in replies:
        assert frame["type"] in ("response", "error"), frame
    assert_error(replies[3], "upsert_strategy_failed")  # NUL: never a file on either server
    escaped = outside_files(tmp_path, strategies)
    if impl == "legacy":
        # legacy behaviour, kept on purpose: the name is joined into the path unchecked
        assert replies[0]["status"] == "strategy_upserted" and replies[0]["file"] == "../escape.json"
        assert escaped == ["a/escape.json", "absolute.json", "escape2.json"]
    else:
        assert escaped == []
        assert all(frame["type"] == "error" for frame in replies), replies
    await still_serving(server)


async def test_forged_reconnect_token(impl, server, make_client, still_serving):
    victim = await make_client(server)
    await victim.login("trader")
    await victim.request({"type": "subscribe", "stream": "orders"})
    victim_id = victim.welcome["client_id"]
    await victim.close()
    await asyncio.sleep(0.05)
    thief = await make_client(server, headers={"X-Reconnect-Token": victim_id + ":forged"})
    if impl == "legacy":
        # legacy behaviour: only the client-id prefix is checked
        assert thief.welcome["status"] == "reconnected"
        assert thief.welcome["client_id"] == victim_id and thief.welcome["username"] == "trader"
    else:
        assert thief.welcome["status"] == "connected" and thief.welcome["client_id"] != victim_id
        frame = await thief.request({"type": "reconnect", "reconnect_token": victim_id + ":" + "0" * 20})
        assert_error(frame, "session_not_found", "Session not found or expired")
        frame = await thief.request({"type": "subscribe", "stream": "orders"})
        assert_error(frame, "authentication_required")
    await still_serving(server)


async def test_replayed_reconnect_token(impl, server, make_client, still_serving):
    """A token is good once: after a reconnect rotates it, the old one must not work again."""
    first = await make_client(server)
    await first.login("viewer")
    old_token = first.welcome["reconnect_token"]
    await first.close()
    await asyncio.sleep(0.05)
    second = await make_client(server, headers={"X-Reconnect-Token": old_token})
    assert second.welcome["status"] == "reconnected"
    in_use = await make_client(server)
    assert_error(await in_use.request({"type": "reconnect", "reconnect_token": old_token}),
                 "session_not_found", "Session not found or expired")
    await second.close()
    await asyncio.sleep(0.05)
    replay = await make_client(server, headers={"X-Reconnect-Token": old_token})
    if impl == "legacy":
        assert replay.welcome["status"] == "reconnected"  # legacy behaviour: prefix check only
    else:
        assert replay.welcome["status"] == "connected"
    await still_serving(server)


async def test_production_without_jwt_secret(impl, server_class):
    settings = {"environment": "production"}
    if impl == "legacy":
        server = server_class(settings=settings, host="127.0.0.1", port=0)  # legacy ignores environment
        await server.start()
        await server.stop()
        return
    with pytest.raises(Exception) as info:
        server = server_class(settings=settings, host="127.0.0.1", port=0)
        try:
            await server.start()
        finally:
            await server.stop()
    assert "jwt_secret" in str(info.value)
    server = server_class(settings=settings, host="127.0.0.1", port=0, jwt_secret="s" * 48)
    await server.start()
    await server.stop()


async def test_development_default_secret(impl, client, server, still_serving):
    forged = jwt.encode(ADMIN_CLAIMS, DEV_SECRET, algorithm="HS256")
    frame = await client.request({"type": "login", "token": forged})
    if impl == "legacy":
        assert frame["status"] == "logged_in" and frame["user"]["username"] == "admin"  # legacy behaviour
    else:
        assert_error(frame, "authentication_failed", "Invalid token")
    await still_serving(server)


async def test_tampered_expired_and_alg_none_jwts(make_server, make_client, still_serving):
    server = await make_server({"access_token_ttl": -10})
    client = await make_client(server)
    issued = await client.login("trader")
    expired, refresh = issued["access_token"], issued["refresh_token"]
    assert_error(await client.request({"type": "login", "token": expired}), "authentication_failed",
                 "Token has expired")
    header, payload, signature = refresh.split(".")
    tampered_payload = jwt.utils.base64url_encode(b'{"sub":"admin","type":"refresh","exp":4102444800}').decode()
    none_token = jwt.encode(ADMIN_CLAIMS, None, algorithm="none")
    for token in [f"{header}.{tampered_payload}.{signature}", refresh[:-2] + ("AA" if refresh[-2:] != "AA" else "BB"),
                  none_token, none_token + "x", jwt.encode(ADMIN_CLAIMS, "w" * 40, algorithm="HS256"),
                  jwt.encode(ADMIN_CLAIMS, "w" * 64, algorithm="HS512"), "a.b.c", "...."]:
        frame = await client.request({"type": "login", "token": token})
        assert_error(frame, "authentication_failed", "Invalid token")
        frame = await client.request({"type": "refresh_token", "refresh_token": token})
        assert_error(frame, "authentication_failed", "Invalid token")
    assert (await client.request({"type": "refresh_token", "refresh_token": refresh}))["status"] == "token_refreshed"
    assert_error(await client.request({"type": "refresh_token", "refresh_token": refresh}),
                 "authentication_failed", "Invalid token")  # single use
    await still_serving(server)


async def test_five_failed_logins_lock_the_account(make_server, make_client, still_serving):
    server = await make_server()
    client = await make_client(server)
    for n in range(5):
        assert_error(await client.request({"type": "login", "username": "trader", "password": f"bad{n}"}),
                     "authentication_failed", "Invalid username or password")
    locked = "Account locked due to too many failed login attempts"
    assert_error(await client.request({"type": "login", "username": "trader", "password": "trader123"}),
                 "account_locked", locked)
    other = await make_client(server)
    assert_error(await other.request({"type": "login", "username": "trader", "password": "trader123"}),
                 "account_locked", locked)
    await other.login("viewer")
    await still_serving(server)


async def test_rate_flood(make_server, make_client):
    server = await make_server({"rate_limit": 50, "rate_window": 1.0})
    flooder = await make_client(server)
    started = time.monotonic()
    for n in range(500):
        await flooder.send({"type": "ping", "id": n})
    replies = [await flooder.reply() for _ in range(500)]
    assert [r["request_id"] for r in replies] == list(range(500))
    limited = [r for r in replies if r["type"] == "error"]
    if time.monotonic() - started < 0.9:
        assert len(limited) == 450
    assert all(r["error_code"] == "rate_limit_exceeded" for r in limited)
    other = await make_client(server)  # same IP: shares the limit, still answered (structured)
    frame = await other.request({"type": "ping"})
    assert frame["type"] in ("pong", "error")
    await asyncio.sleep(1.1)
    assert (await other.request({"type": "ping"}))["type"] == "pong"


async def test_concurrent_reconnects_with_one_token_restore_once(server, make_client, still_serving):
    first = await make_client(server)
    await first.login("trader")
    token = first.welcome["reconnect_token"]
    await first.close()
    await asyncio.sleep(0.05)
    racers = await asyncio.gather(*(make_client(server, headers={"X-Reconnect-Token": token}) for _ in range(5)))
    assert sorted(r.welcome["status"] for r in racers) == ["connected"] * 4 + ["reconnected"]
    winner = next(r for r in racers if r.welcome["status"] == "reconnected")
    await winner.close()
    await asyncio.sleep(0.05)
    others = [await make_client(server) for _ in range(5)]
    new_token = winner.welcome["reconnect_token"]
    answers = await asyncio.gather(*(o.request({"type": "reconnect", "reconnect_token": new_token}) for o in others))
    assert sorted(a.get("status") or a["error_code"] for a in answers) == ["reconnected"] + ["session_not_found"] * 4
    await still_serving(server)
