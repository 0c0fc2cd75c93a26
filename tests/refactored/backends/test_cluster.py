"""Several instances look like one server: two in-process instances on loopback ports share one
real Redis, and real websockets clients connect to either."""

import asyncio

from tests.refactored.backends.cluster_support import LOGIN, Client, cluster, saved, until


async def test_a_token_from_one_instance_restores_the_session_once_on_another(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path) as (a, b):
        first = await Client.open(a.port)
        assert (await first.request(LOGIN))["status"] == "logged_in"
        await first.request({"type": "subscribe", "stream": "orders", "symbols": ["BTC_USDT"]})
        await first.close()
        await saved(a, first.client_id)
        assert await b.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT", "n": 1}) == 0
        assert await a.broadcast_to_subscribers("orders", {"symbol": "ETH_USDT", "n": 2}) == 0
        again = await Client.open(b.port, first.token)
        welcome = again.welcome
        assert (welcome["status"], welcome["client_id"], welcome["authenticated"]) == ("reconnected", first.client_id, True)
        assert welcome["subscriptions"] == {"orders": ["BTC_USDT"]} and welcome["queued_messages"] == 1
        queued = await again.next()
        assert (queued["type"], queued["data"]["n"], queued["data"]["message_id"]) == ("orders", 1, "broadcast:1")
        assert await again.silent()
        replay = await Client.open(a.port, first.token)  # a token works once, cluster-wide
        assert replay.welcome["status"] == "connected" and replay.client_id != first.client_id
        for client in (again, replay):
            await client.close()


async def test_broadcast_on_any_instance_reaches_every_subscriber_once(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path) as (a, b):
        here, there, elsewhere = await Client.open(a.port), await Client.open(b.port), await Client.open(b.port)
        for client in (here, there, elsewhere):
            await client.request(LOGIN)
            await client.request({"type": "subscribe", "stream": "market_data"})
        await elsewhere.request({"type": "subscribe", "stream": "orders"})
        assert await a.broadcast_to_subscribers("market_data", {"symbol": "BTC_USDT", "price": 1}) == 3
        assert await b.broadcast_to_subscribers("market_data", {"price": 2}, exclude_client=here.client_id) == 2
        for client in (here, there, elsewhere):
            assert (await client.next())["data"]["price"] == 1
        for client in (there, elsewhere):
            assert (await client.next())["data"]["price"] == 2
        assert await a.broadcast_to_subscribers("orders", {"message_id": "o1"}) == 1
        assert await b.broadcast_to_subscribers("orders", {"message_id": "o1"}) == 0  # delivered once per client
        assert (await elsewhere.next())["data"]["message_id"] == "o1"
        for client in (here, there, elsewhere):
            assert await client.silent()
            await client.close()


async def test_critical_broadcast_ids_are_numbered_across_the_cluster(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path) as (a, b):
        client = await Client.open(b.port)
        await client.request(LOGIN)
        await client.request({"type": "subscribe", "stream": "positions"})
        for server in (a, b, a):
            await server.broadcast_to_subscribers("positions", {"x": 1})
        assert [(await client.next())["data"]["message_id"] for _ in range(3)] == [
            "broadcast:1", "broadcast:2", "broadcast:3"]
        await client.close()


async def test_rate_limit_counts_across_instances(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path, rate_limit=3) as (a, b):
        one, two = await Client.open(a.port), await Client.open(b.port)
        replies = [await client.request({"type": "ping"}) for client in (one, two, one, two)]
        assert [r["type"] for r in replies] == ["pong", "pong", "pong", "error"]
        assert replies[-1]["error_code"] == "rate_limit_exceeded"
        for client in (one, two):
            await client.close()


async def test_lockout_counts_across_instances(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path, lockout_threshold=2) as (a, b):
        one, two = await Client.open(a.port), await Client.open(b.port)
        assert (await one.request({**LOGIN, "password": "bad"}))["error_code"] == "authentication_failed"
        assert (await two.request({**LOGIN, "password": "bad"}))["error_code"] == "authentication_failed"
        assert (await one.request(LOGIN))["error_code"] == "account_locked"
        for client in (one, two):
            await client.close()


async def test_tokens_are_accepted_cluster_wide_and_a_refresh_token_works_once(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path) as (a, b):
        one, two = await Client.open(a.port), await Client.open(b.port)
        tokens = await one.request(LOGIN)
        assert (await two.request({"type": "auth", "token": tokens["access_token"]}))["status"] == "logged_in"
        refresh = {"type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        assert (await two.request(refresh))["status"] == "token_refreshed"
        assert (await one.request(refresh))["error_code"] == "authentication_failed"
        for client in (one, two):
            await client.close()


async def test_reconnect_message_on_another_instance(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path) as (a, b):
        first = await Client.open(a.port)
        await first.request(LOGIN)
        await first.close()
        await saved(a, first.client_id)
        second = await Client.open(b.port)
        reply = await second.request({"type": "reconnect", "reconnect_token": first.token})
        assert (reply["status"], reply["client_id"], reply["username"]) == ("reconnected", first.client_id, "trader")
        assert (await second.request({"type": "get_strategies"}))["type"] != "error"  # still logged in
        await second.close()


async def test_stats_report_this_instance_and_the_cluster(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path) as (a, b):
        clients = [await Client.open(a.port), await Client.open(b.port), await Client.open(b.port)]

        async def both_counted():
            cluster_entry = a.get_stats()["cluster"]
            return cluster_entry["instances"] == 2 and cluster_entry["totals"]["connections"]["total"] == 3

        await until(both_counted)
        stats = a.get_stats()
        assert stats["connections"]["total"] == 1 and b.get_stats()["connections"]["total"] == 2
        assert stats["cluster"]["instance_id"] != b.get_stats()["cluster"]["instance_id"]
        assert set(stats["cluster"]["totals"]) == {"connections", "messages", "subscriptions", "sessions"}
        for client in clients:
            await client.close()


async def test_stats_read_the_saved_sessions_when_asked_not_at_the_last_upkeep(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path) as (a, b):  # upkeep every 30 s: none meanwhile
        leaving = await Client.open(a.port)
        await leaving.close()
        await saved(a, leaving.client_id)
        stats = b.get_stats()
        assert stats["sessions"]["persisted"] == 1
        assert stats["connections"]["by_state"]["disconnected"] == 1


async def test_clusters_in_other_namespaces_share_nothing(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path, size=1) as (a,):
        other = type(a)(host="127.0.0.1", port=0, settings={"redis_url": redis_server.url, "redis_namespace": "else",
                                                             "strategies_dir": str(tmp_path / "s2")})
        async with other:
            first = await Client.open(a.port)
            await first.close()
            await saved(a, first.client_id)
            stranger = await Client.open(other.port, first.token)
            assert stranger.welcome["status"] == "connected"
            await stranger.close()
        await asyncio.sleep(0)


async def test_a_push_for_a_client_on_another_instance_is_relayed_and_delivered_once(redis_server, tmp_path):
    from refactored.core.effects import Push

    async with cluster(redis_server.url, tmp_path) as (a, b):
        client = await Client.open(b.port)
        await client.request(LOGIN)
        for _ in range(2):  # the same critical frame twice: written once
            await a.engine.apply(Push(client.client_id, {"type": "orders", "n": 1}, "order-1"), a._outlet)
        await a.engine.apply(Push(client.client_id, {"type": "account", "n": 2}), a._outlet)
        assert [(await client.next())["n"] for _ in range(2)] == [1, 2]
        assert await client.silent()
        await client.close()
        await saved(b, client.client_id)
        await a.engine.apply(Push(client.client_id, {"type": "orders", "n": 3}, "order-3"), a._outlet)
        back = await Client.open(a.port, client.token)
        assert back.welcome["queued_messages"] == 1 and (await back.next())["n"] == 3
        assert await back.silent()
        await back.close()


async def test_a_burst_of_clients_waits_for_redis_connections_rather_than_being_refused(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path, size=1, rate_limit=10_000) as (a,):

        async def one() -> str:
            client = await Client.open(a.port)
            reply = await client.request({"type": "ping", "id": 1})
            await client.close()
            return f"{client.welcome['status']} {reply['type']}"

        outcomes = await asyncio.gather(*(one() for _ in range(300)), return_exceptions=True)
        assert [o for o in outcomes if o != "connected pong"] == []  # none closed with 1013
