"""Reconnect (header and message), session persistence and queued critical messages."""

import asyncio

from legacy_support import assert_error

CONFIG = {"RSIStrategy": ["BTC_USDT", "ETH_USDT"], "MovingAverageCross": ["BTC_USDT"]}


def is_update(status):
    return lambda f: f["type"] == "session_update" and f["data"]["status"] == status


async def wait_persisted(server, client_id):
    for _ in range(200):
        if client_id in server.client_session_persistence:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("session was not persisted")


async def test_reconnect_header_restores_state(server, make_client):
    c = await make_client(server)
    await c.login("trader")
    await c.request({"type": "subscribe", "stream": "orders"})
    await c.request({"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"]})
    old_id, token = c.client_id, c.welcome["reconnect_token"]
    await c.close()
    await wait_persisted(server, old_id)
    assert server.get_stats()["connections"]["by_state"]["disconnected"] == 1
    c2 = await make_client(server, headers={"X-Reconnect-Token": token})
    w = c2.welcome
    assert list(w) == ["type", "status", "client_id", "reconnect_token", "server_time", "features",
                       "authenticated", "username", "subscriptions", "queued_messages", "timestamp"]
    assert w["status"] == "reconnected" and w["client_id"] == old_id
    assert w["authenticated"] is True and w["username"] == "trader"
    assert w["subscriptions"] == {"orders": [], "market_data": ["ETH_USDT"]}
    assert w["queued_messages"] == 0
    assert w["reconnect_token"] != token and w["reconnect_token"].startswith(old_id + ":")
    r = await c2.request({"type": "subscribe", "stream": "orders"})
    assert_error(r, "already_subscribed")
    assert (await c2.request({"type": "heartbeat"}))["client_id"] == old_id
    # the token was consumed: the session is no longer persisted
    c3 = await make_client(server, headers={"X-Reconnect-Token": token})
    assert c3.welcome["status"] == "connected" and c3.client_id != old_id


async def test_invalid_header_token_gives_fresh_connection(server, make_client):
    for token in ("garbage", "client_nope:abc", ":", "x" * 3000):
        c = await make_client(server, headers={"X-Reconnect-Token": token})
        assert c.welcome["status"] == "connected"


async def test_queued_critical_messages_delivered_once(make_server, make_client):
    server = await make_server({"bar_interval": 0.03})
    c = await make_client(server)
    await c.login("trader")
    r = await c.request({"type": "session_start", "session_type": "backtest", "strategy_config": CONFIG,
                         "config": {"bars": 40}})
    sid = r["session_id"]
    await c.wait_for(is_update("running"))
    old_id, token = c.client_id, c.welcome["reconnect_token"]
    await c.close()  # the first trade happens at bar 13, after the client has gone
    await wait_persisted(server, old_id)
    for _ in range(500):
        if server.trading_sessions[sid]["state"] == "completed":
            break
        await asyncio.sleep(0.01)
    assert server.trading_sessions[sid]["state"] == "completed"
    queued = server.get_stats()["sessions"]["queued_messages"]
    assert queued > 0
    c2 = await make_client(server)
    r = await c2.request({"type": "reconnect", "reconnect_token": token})
    assert list(r) == ["type", "status", "client_id", "reconnect_token", "authenticated", "username",
                       "subscriptions", "queued_messages", "timestamp", "request_id"]
    assert r["status"] == "reconnected" and r["client_id"] == old_id and r["queued_messages"] == queued
    frames = [await c2.recv() for _ in range(queued)]
    ids = [f["data"]["message_id"] for f in frames]
    assert ids == [f"{sid}:{i}" for i in range(1, queued + 1)]
    assert [f["type"] for f in frames[:2]] == ["orders", "positions"]
    assert (await c2.request({"type": "ping"}))["type"] == "pong"
    assert c2.pushed == []
    st = await c2.request({"type": "session_status", "session_id": sid})
    assert st["session"]["state"] == "completed"
    assert st["session"]["results"]["orders"] * 2 == queued


async def test_reconnect_during_backtest_keeps_order(make_server, make_client):
    server = await make_server({"bar_interval": 0.005})
    c = await make_client(server)
    await c.login("trader")
    r = await c.request({"type": "session_start", "session_type": "backtest", "strategy_config": CONFIG,
                         "config": {"bars": 200}})
    assert r["status"] == "session_started"
    seen = []
    while len(seen) < 4:
        f = await c.wait_for(lambda f: f["type"] in ("orders", "positions"))
        seen.append(f["data"]["message_id"])
    token = c.welcome["reconnect_token"]
    await c.close()
    await wait_persisted(server, c.client_id)
    await asyncio.sleep(0.2)
    c2 = await make_client(server, headers={"X-Reconnect-Token": token})
    done = await c2.wait_for(is_update("completed"), timeout=10)
    got = [f["data"]["message_id"] for f in c2.pushed if f["type"] in ("orders", "positions")]
    assert len(got) == len(set(got))
    total = done["data"]["results"]["orders"] * 2
    seqs = [int(i.rsplit(":", 1)[1]) for i in got]
    assert seqs == sorted(seqs)
    # whatever the first socket did not get, the second one got: nothing lost, nothing twice
    assert seqs[-1] == total and not set(got) & set(seen)


async def test_header_reconnect_delivers_queue(server, make_client):
    c = await make_client(server)
    await c.login("trader")
    await c.request({"type": "subscribe", "stream": "orders"})
    old_id, token = c.client_id, c.welcome["reconnect_token"]
    await c.close()
    await wait_persisted(server, old_id)
    assert await server.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT", "message_id": "m1"}) == 0
    assert await server.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT", "message_id": "m1"}) == 0
    assert await server.broadcast_to_subscribers("orders", {"symbol": "ETH_USDT"}) == 0
    assert await server.broadcast_to_subscribers("market_data", {"symbol": "ETH_USDT"}) == 0
    c2 = await make_client(server, headers={"X-Reconnect-Token": token})
    assert c2.welcome["queued_messages"] == 2
    f1 = await c2.recv()
    f2 = await c2.recv()
    assert [f1["data"]["message_id"], f2["data"]["message_id"]] == ["m1", "broadcast:1"]
    assert f1["type"] == "orders" and f1["stream"] == "orders"
    # delivered ids are remembered: the same message is not sent twice
    assert await server.broadcast_to_subscribers("orders", {"message_id": "m1"}) == 0
    assert await server.broadcast_to_subscribers("orders", {"message_id": "m2"}) == 1
    assert (await c2.recv())["data"]["message_id"] == "m2"


async def test_forged_token_accepted_by_prefix(server, make_client):
    c = await make_client(server)
    await c.login("admin")
    old_id = c.client_id
    await c.close()
    await wait_persisted(server, old_id)
    c2 = await make_client(server)
    r = await c2.request({"type": "reconnect", "reconnect_token": f"{old_id}:forged"})
    assert r["status"] == "reconnected" and r["username"] == "admin"


async def test_reconnect_errors(server, make_client):
    c = await make_client(server)
    assert_error(await c.request({"type": "reconnect"}), "missing_parameters", "Required: reconnect_token")
    assert_error(await c.request({"type": "reconnect", "reconnect_token": 5}), "invalid_parameter",
                 "Invalid parameter: reconnect_token")
    for token in ("", "nocolon", "client_x:y", c.welcome["reconnect_token"]):
        assert_error(await c.request({"type": "reconnect", "reconnect_token": token}), "session_not_found",
                     "Session not found or expired")


async def test_session_ttl_expiry(make_server, make_client):
    server = await make_server({"session_ttl": 0.1})
    c = await make_client(server)
    await c.login("trader")
    token = c.welcome["reconnect_token"]
    await c.close()
    await wait_persisted(server, c.client_id)
    await asyncio.sleep(0.15)
    c2 = await make_client(server)
    assert_error(await c2.request({"type": "reconnect", "reconnect_token": token}), "session_not_found")


async def test_cleanup_loop_purges(make_server, make_client):
    server = await make_server({"session_ttl": 0.05}, heartbeat_interval=0.05)
    c = await make_client(server)
    await c.close()
    await wait_persisted(server, c.client_id)
    for _ in range(100):
        if not server.client_session_persistence:
            break
        await asyncio.sleep(0.02)
    assert server.client_session_persistence == {}


async def test_queue_limit(make_server, make_client):
    server = await make_server({"queue_limit": 3})
    c = await make_client(server)
    await c.login("trader")
    await c.request({"type": "subscribe", "stream": "positions"})
    token = c.welcome["reconnect_token"]
    await c.close()
    await wait_persisted(server, c.client_id)
    for i in range(5):
        await server.broadcast_to_subscribers("positions", {"message_id": f"p{i}"})
    c2 = await make_client(server, headers={"X-Reconnect-Token": token})
    assert c2.welcome["queued_messages"] == 3
    assert [(await c2.recv())["data"]["message_id"] for _ in range(3)] == ["p2", "p3", "p4"]


async def test_reconnected_client_gets_live_events_again(server, make_client):
    c = await make_client(server)
    await c.login("trader")
    token = c.welcome["reconnect_token"]
    r = await c.request({"type": "session_start", "session_type": "paper", "strategy_config": CONFIG})
    await c.wait_for(is_update("running"))
    await c.close()
    await wait_persisted(server, c.client_id)
    c2 = await make_client(server, headers={"X-Reconnect-Token": token})
    stop = await c2.request({"type": "session_stop"})
    assert stop["session_id"] == r["session_id"]
    upd = await c2.wait_for(is_update("stopped"))
    assert upd["data"]["session_id"] == r["session_id"]
