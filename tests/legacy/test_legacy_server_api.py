"""Public Python API: lifecycle, stats, health, admin commands, the command line."""

import asyncio
import json
import os
import subprocess
import sys

from websockets.asyncio.client import connect

from legacy.websocket_server import WebSocketAPIServer
from legacy_support import RECV_TIMEOUT, TEST_SETTINGS, assert_error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


async def test_constructor_signature_defaults():
    s = WebSocketAPIServer()
    assert s.host == "localhost" and s.port == 8080 and s.max_connections == 1000
    assert s.heartbeat_interval == 30 and s.event_bus is None
    assert s.get_stats()["server"]["running"] is False
    assert (await s.health_check())["status"] == "stopped"
    await s.stop()  # stopping a server that never started is a no-op


async def test_async_with_and_port_zero():
    async with WebSocketAPIServer(host="127.0.0.1", port=0, settings=TEST_SETTINGS) as server:
        assert server.port != 0
        async with connect(f"ws://127.0.0.1:{server.port}", proxy=None) as ws:
            w = json.loads(await asyncio.wait_for(ws.recv(), RECV_TIMEOUT))
            assert w["status"] == "connected"
    assert server.server is None


async def test_start_stop_twice(make_server, make_client):
    server = await make_server()
    await server.start()  # second start is a no-op
    port = server.port
    c = await make_client(server)
    await c.login("admin")
    await server.stop()
    await server.stop()
    assert server.get_stats()["connections"]["total"] == 0
    await server.start()
    c2 = await make_client(server)
    assert (await c2.request({"type": "ping"}))["type"] == "pong"
    assert server.port != 0
    await server.stop()
    await server.start()
    assert server._running
    del port


async def test_owned_strategies_dir_removed_on_stop(make_server):
    server = await make_server()
    d = server.strategies_dir
    assert os.path.isdir(d)
    await server.stop()
    assert not os.path.exists(d)


async def test_get_stats_and_health(server, make_client):
    a = await make_client(server)
    await a.login("admin")
    await a.request({"type": "subscribe", "stream": "orders"})
    b = await make_client(server)
    await b.send("{bad")
    await b.reply()
    stats = server.get_stats()
    assert list(stats) == ["server", "connections", "messages", "sessions", "subscriptions"]
    assert stats["connections"]["by_state"] == {"connecting": 0, "connected": 2, "disconnecting": 0,
                                                "disconnected": 0, "error": 0, "reconnecting": 0}
    assert stats["connections"]["healthy"] == 2 and stats["connections"]["active"] == 2
    assert stats["messages"]["received"] == 3 and stats["messages"]["processed"] == 2
    assert stats["messages"]["errors"] == 1
    assert stats["subscriptions"]["orders"] == 1
    assert stats["server"]["running"] is True and stats["server"]["port"] == server.port
    health = await server.health_check()
    assert list(health) == ["status", "running", "uptime_seconds", "active_connections", "max_connections",
                            "checks", "timestamp"]
    assert health["status"] == "healthy" and health["active_connections"] == 2
    assert health["checks"] == {"server": True, "controller": True, "strategies_dir": True, "capacity": True}


async def test_health_degraded_at_capacity(make_server, make_client):
    server = await make_server(max_connections=1)
    await make_client(server)
    assert (await server.health_check())["status"] == "degraded"


async def test_commands_admin_only(server, make_client):
    anon = await make_client(server)
    assert_error(await anon.request({"type": "command", "command": "get_stats"}), "authentication_required")
    t = await make_client(server)
    await t.login("trader")
    assert_error(await t.request({"type": "command", "command": "get_stats"}), "insufficient_permissions",
                 "Permission required: admin")
    a = await make_client(server)
    await a.login("admin")
    r = await a.request({"type": "command", "command": "get_stats"})
    assert list(r) == ["type", "status", "command", "result", "timestamp", "request_id"]
    assert r["status"] == "command_result" and r["result"]["connections"]["active"] == 3
    r = await a.request({"type": "COMMAND", "command": "HEALTH_CHECK"})
    assert r["command"] == "health_check" and r["result"]["status"] == "healthy"
    assert_error(await a.request({"type": "command"}), "missing_parameters", "Required: command")
    for bad in ("reboot", 5, ["get_stats"]):
        assert_error(await a.request({"type": "command", "command": bad}), "invalid_parameter", "Unknown command")


async def test_event_bus_receives_session_updates(make_server, make_client):
    events = []

    class Bus:
        def publish(self, name, data):
            events.append((name, data["status"]))

    server = await make_server(event_bus=Bus())
    c = await make_client(server)
    await c.login("trader")
    await c.request({"type": "session_start", "session_type": "backtest",
                     "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 3}})
    await c.wait_for(lambda f: f["type"] == "session_update" and f["data"]["status"] == "completed")
    assert events == [("session_update", "running"), ("session_update", "completed")]


async def test_no_leaked_task_errors(make_server, make_client, caplog):
    server = await make_server({"bar_interval": 0.005})
    clients = []
    for user in ("trader", "admin"):
        c = await make_client(server)
        await c.login(user)
        await c.request({"type": "session_start", "session_type": "backtest",
                         "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 500}})
        await c.request({"type": "collection_start", "symbols": ["BTC_USDT"], "duration": "1d"})
        clients.append(c)
    await clients[0].ws.close()
    await asyncio.sleep(0.05)
    await server.stop()
    bad = [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert bad == []
    assert not any("never retrieved" in r.getMessage() for r in caplog.records)


def test_python_m_legacy_serves(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "legacy", "--port", "0", "--host", "127.0.0.1",
                             "--settings", '{"max_message_size": 4096}'],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Listening on ws://127.0.0.1:"), line
        port = int(line.strip().rsplit(":", 1)[1])

        async def talk():
            async with connect(f"ws://127.0.0.1:{port}", proxy=None) as ws:
                w = json.loads(await asyncio.wait_for(ws.recv(), RECV_TIMEOUT))
                await ws.send(json.dumps({"type": "login", "id": 1, "username": "trader", "password": "trader123"}))
                r = json.loads(await asyncio.wait_for(ws.recv(), RECV_TIMEOUT))
                await ws.send(json.dumps({"type": "capabilities", "id": 2}))
                caps = json.loads(await asyncio.wait_for(ws.recv(), RECV_TIMEOUT))
                return w, r, caps

        w, r, caps = asyncio.run(talk())
        assert w["status"] == "connected" and r["status"] == "logged_in"
        assert caps["max_message_size"] == 4096
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "listening on ws://127.0.0.1:" in err
    assert "Traceback" not in err


def test_python_m_legacy_bad_settings():
    out = subprocess.run([sys.executable, "-m", "legacy", "--settings", "[1]"], cwd=ROOT, capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=ROOT), timeout=30)
    assert out.returncode == 2 and "must be a JSON object" in out.stderr and "Traceback" not in out.stderr


def test_python_m_legacy_help():
    out = subprocess.run([sys.executable, "-m", "legacy", "--help"], cwd=ROOT, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=ROOT), timeout=30)
    assert out.returncode == 0 and "--port" in out.stdout and "--host" in out.stdout


async def test_heartbeat_disabled(make_server, make_client):
    for interval in (None, 0):
        server = await make_server(heartbeat_interval=interval)
        c = await make_client(server)
        assert (await c.request({"type": "heartbeat"}))["status"] == "heartbeat_ack"


async def test_custom_controller(make_server, make_client):
    from legacy.websocket_server import SimulatedTradingController

    class Flat(SimulatedTradingController):
        def close_price(self, symbol, index):
            return 100.0

    server = await make_server(controller=Flat())
    c = await make_client(server)
    await c.login("trader")
    await c.request({"type": "session_start", "session_type": "backtest",
                     "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 30}})
    done = await c.wait_for(lambda f: f["type"] == "session_update" and f["data"]["status"] == "completed")
    assert done["data"]["results"]["orders"] == 0


async def test_service_unavailable_without_controller(server, make_client):
    c = await make_client(server)
    await c.login("trader")
    server.controller = None
    r = await c.request({"type": "session_start", "session_type": "paper",
                         "strategy_config": {"RSIStrategy": ["BTC_USDT"]}})
    assert_error(r, "service_unavailable", "Trading controller not available")
    r = await c.request({"type": "collection_start", "symbols": ["BTC_USDT"]})
    assert_error(r, "service_unavailable", "Trading controller not available")
    assert (await server.health_check())["checks"]["controller"] is False


async def test_concurrent_stop_calls(make_server, make_client):
    server = await make_server()
    await make_client(server)
    await asyncio.gather(server.stop(), server.stop(), server.stop())
    assert server.server is None and not server._running
