"""The legacy's public attributes on the refactored server: same values and types as the legacy's."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

import refactored
from legacy.websocket_server import WebSocketAPIServer as Legacy

SIDES = {"legacy": Legacy, "refactored": refactored.WebSocketAPIServer}
SETTINGS_ATTRIBUTES = (
    "host", "port", "max_connections", "heartbeat_interval", "max_message_size", "rate_limit", "rate_window",
    "session_ttl", "lockout_threshold", "lockout_seconds", "access_token_ttl", "refresh_token_ttl",
    "bar_interval", "queue_limit", "environment", "settings", "strategies_dir", "server", "stats",
    "connections",
)
# Per-connection keys both sides show; the values of the first two differ by nature.
CONNECTION_KEYS = {"client_id", "websocket", "state", "remote_ip", "authenticated", "username", "permissions",
                   "subscriptions"}
CUSTOM = {"rate_window": 5, "session_ttl": 7, "lockout_seconds": 9, "bar_interval": 1, "queue_limit": 3,
          "environment": "development", "max_message_size": 4096}


def _view(server, names=SETTINGS_ATTRIBUTES):
    return {name: (getattr(server, name), type(getattr(server, name))) for name in names}


def test_default_construction_matches_the_legacy():
    assert _view(Legacy()) == _view(refactored.WebSocketAPIServer())


def test_constructor_arguments_and_settings_match_the_legacy():
    kwargs = dict(host="127.0.0.1", port=0, max_connections=7, heartbeat_interval=0, settings=CUSTOM,
                  jwt_secret="s" * 32)
    legacy, ours = Legacy(**kwargs), refactored.WebSocketAPIServer(**kwargs)
    assert _view(legacy) == _view(ours)
    assert ours.jwt_secret == legacy.jwt_secret == "s" * 32


def test_controller_is_the_one_given_or_a_simulated_one():
    controller = object()
    assert refactored.WebSocketAPIServer(controller=controller).controller is controller
    assert type(refactored.WebSocketAPIServer().controller).__name__ == type(Legacy().controller).__name__


def test_attributes_are_read_only_and_settings_a_copy():
    server = refactored.WebSocketAPIServer(settings={"rate_limit": 3})
    with pytest.raises(AttributeError, match="read-only"):
        server.host = "elsewhere"
    with pytest.raises(AttributeError):
        server.connections = {}
    server.settings["rate_limit"] = 99
    assert server.settings == {"rate_limit": 3} and server.rate_limit == 3


async def _exchange(ws, message):
    await ws.send(json.dumps(message))
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def _activity(server):
    """Two clients, one logged in and subscribed; the attributes read while both are connected."""
    uri = f"ws://127.0.0.1:{server.port}"
    async with connect(uri, proxy=None) as first, connect(uri, proxy=None) as second:
        for ws in (first, second):
            await asyncio.wait_for(ws.recv(), 5)  # connection_established
        await _exchange(first, {"type": "login", "username": "trader", "password": "trader123"})
        await _exchange(first, {"type": "subscribe", "stream": "market_data", "symbols": ["BTC_USDT"]})
        await _exchange(second, {"type": "ping"})
        connections = {cid: dict(entry) for cid, entry in server.connections.items()}  # the legacy's is live
        return dict(server.stats), connections, server.server is not None, server.strategies_dir


async def _run(side, settings=None):
    server = SIDES[side](host="127.0.0.1", port=0, settings=settings)
    await server.start()
    try:
        return await _activity(server), server
    finally:
        await server.stop()


def _comparable(connections):
    return sorted(
        ({k: v for k, v in entry.items() if k in CONNECTION_KEYS - {"client_id", "websocket"}}
         for entry in connections.values()),
        key=lambda entry: entry["authenticated"],
    )


async def test_stats_and_connections_after_activity_match_the_legacy():
    (legacy_stats, legacy_conns, legacy_listening, legacy_dir), _ = await _run("legacy")
    (stats, conns, listening, directory), server = await _run("refactored")
    assert stats == legacy_stats and stats["messages_received"] == 3
    assert _comparable(conns) == _comparable(legacy_conns)
    assert all(set(entry) == CONNECTION_KEYS for entry in conns.values())
    assert all(set(entry) >= CONNECTION_KEYS for entry in legacy_conns.values())
    assert all(entry["websocket"] is not None and entry["client_id"] == cid for cid, entry in conns.items())
    assert listening and legacy_listening
    assert isinstance(directory, str) and isinstance(legacy_dir, str)
    assert server.server is None and server.connections == {}


async def _expire(side):
    server = SIDES[side](host="127.0.0.1", port=0, settings={"session_ttl": 0.2})
    await server.start()
    try:
        async with connect(f"ws://127.0.0.1:{server.port}", proxy=None) as ws:
            await asyncio.wait_for(ws.recv(), 5)
        for _ in range(50):  # the server sees the close and saves the session
            if server.get_stats()["sessions"]["persisted"]:
                break
            await asyncio.sleep(0.02)
        before = server.cleanup_expired_client_sessions()
        await asyncio.sleep(0.3)
        return before, server.cleanup_expired_client_sessions(), server.cleanup_expired_client_sessions()
    finally:
        await server.stop()


async def test_cleanup_expired_client_sessions_matches_the_legacy():
    assert await _expire("refactored") == await _expire("legacy") == (0, 1, 0)
