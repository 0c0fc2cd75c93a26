"""A short tour of the worked subject (used to test the harness against `legacy`)."""

from harness.scenario import scenario


@scenario(name="legacy_tour", tags=["auth", "subscriptions", "sessions"], settings={"bar_interval": 0.005})
async def legacy_tour(s):
    c1 = await s.connect("c1")
    welcome = await c1.recv()
    await c1.send({"type": "ping", "id": 1})
    await c1.recv()
    await c1.send({"type": "login", "id": 2, "username": "trader", "password": "trader123"})
    tokens = await c1.recv()
    await c1.send({"type": "refresh_token", "id": 3, "refresh_token": tokens["refresh_token"]})
    await c1.recv()
    await c1.send({"type": "login", "id": 4, "username": "viewer", "password": "nope"})
    await c1.recv()
    await c1.send("{bad json")
    await c1.recv()
    await c1.send_binary(b"\x00\x01")
    await c1.recv()
    c2 = await s.connect("c2")
    await c2.recv()
    await c2.send({"type": "reconnect", "id": 5, "reconnect_token": welcome["client_id"] + ":forged"})
    await c2.recv()
    await c2.send({"type": "subscribe", "id": 6, "stream": "market_data", "symbols": ["BTC_USDT"]})
    await c2.recv()
    await c1.send({"type": "get_strategies", "id": 7})
    await c1.recv()
    await c1.close(1000)
