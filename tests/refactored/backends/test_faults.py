"""Faults: Redis going away during a session, and an instance killed under its clients."""

import asyncio
import json
import signal
import sys

import pytest
from websockets.exceptions import ConnectionClosed

from tests.refactored.backends.cluster_support import WAIT, LOGIN, Client, cluster, saved, settings, until

INSTANCE = """
import asyncio, json, sys
from refactored import WebSocketAPIServer

async def main():
    server = WebSocketAPIServer(host="127.0.0.1", port=0, settings=json.loads(sys.argv[1]))
    await server.start()
    print(server.port, flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


async def test_redis_away_gives_error_frames_and_no_critical_frame_is_lost(redis_server, tmp_path):
    async with cluster(redis_server.url, tmp_path) as (a, b):
        here = await Client.open(a.port)
        await here.request(LOGIN)
        await here.request({"type": "subscribe", "stream": "positions"})
        redis_server.stop()
        reply = await here.request({"type": "ping", "id": 7})
        assert (reply["type"], reply["error_code"], reply["request_id"]) == ("error", "service_unavailable", 7)
        assert "unavailable" in reply["error_message"]
        assert await a.broadcast_to_subscribers("positions", {"message_id": "p1"}) == 0
        assert a.engine.held() == 1  # not written: it could not be recorded as delivered
        newcomer = await Client.open(b.port)  # refused with the same error frame, then closed 1013
        assert newcomer.welcome["error_code"] == "service_unavailable"
        with pytest.raises(ConnectionClosed):
            await newcomer.next()
        assert newcomer.ws.close_code == 1013
        redis_server.start()
        assert (await here.next())["data"]["message_id"] == "p1"  # the upkeep applied it again
        assert a.engine.held() == 0
        await until(lambda: _listening(a, b))  # both relays subscribed again
        assert (await here.request({"type": "ping"}))["type"] == "pong"
        assert await b.broadcast_to_subscribers("positions", {"message_id": "p2"}) == 1
        assert (await here.next())["data"]["message_id"] == "p2"
        assert await here.silent()
        await here.close()  # Redis came back empty: the instance wrote its client's session back
        await saved(a, here.client_id)
        again = await Client.open(b.port, here.token)
        assert (again.welcome["status"], again.welcome["username"]) == ("reconnected", "trader")
        assert again.welcome["subscriptions"] == {"positions": []}
        await again.close()


async def _listening(*servers):
    return all(server.engine.app.fanout.listening for server in servers)


async def test_a_killed_instance_s_clients_resume_on_another(redis_server, tmp_path):
    config = json.dumps(settings(redis_server.url, tmp_path))
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", INSTANCE, config,
                                                   stdout=asyncio.subprocess.PIPE)
    try:
        port = int(await asyncio.wait_for(process.stdout.readline(), 20))
        async with cluster(redis_server.url, tmp_path, size=1) as (b,):
            client = await Client.open(port)
            await client.request(LOGIN)
            await client.request({"type": "subscribe", "stream": "market_data", "symbols": ["BTC_USDT"]})
            process.send_signal(signal.SIGKILL)
            await asyncio.wait_for(process.wait(), WAIT)
            with pytest.raises(ConnectionClosed):
                await client.next()
            resumed = await _resume(b.port, client.token)
            welcome = resumed.welcome
            assert (welcome["client_id"], welcome["username"]) == (client.client_id, "trader")
            assert welcome["subscriptions"] == {"market_data": ["BTC_USDT"]}
            assert await b.broadcast_to_subscribers("market_data", {"symbol": "BTC_USDT", "price": 3}) == 1
            assert (await resumed.next())["data"]["price"] == 3
            await resumed.close()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _resume(port, token):
    """Reconnect with ``token`` until the dead instance's liveness key has expired (bounded)."""
    deadline = asyncio.get_running_loop().time() + 2 * WAIT
    while True:
        client = await Client.open(port, token)
        if client.welcome["status"] == "reconnected":
            return client
        await client.close()
        assert asyncio.get_running_loop().time() < deadline, "the session was never given back"
        await asyncio.sleep(0.25)
