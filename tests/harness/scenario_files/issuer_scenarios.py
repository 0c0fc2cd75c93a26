"""Scenarios against the token-issuing test server (used by the recorder tests)."""

from harness.scenario import scenario


@scenario(name="issuer_tour", tags=["auth", "tokens"], settings={"passwords": {"viewer": "v1ewer!"}})
async def issuer_tour(s):
    c = await s.connect("c1")
    welcome = await c.recv()
    await c.send({"type": "login", "id": 1, "username": "trader", "password": "trader123"})
    reply = await c.recv()
    await c.send({"type": "check", "id": 2, "token": reply["access_token"]})
    await c.recv()
    await c.send({"type": "login", "id": 3, "username": "viewer", "password": "v1ewer!"})
    await c.recv_until("response")
    await c.send({"type": "login", "id": 4, "username": "trader", "password": "guess"})
    await c.recv()
    await c.send("{bad json")
    await c.recv()
    await c.send_binary(b"\x00\x01")
    await c.recv()
    c2 = await s.connect("c2", headers={"X-Reconnect-Token": welcome["reconnect_token"]})
    await c2.recv()
    await c2.send({"type": "check", "id": 5, "token": welcome["client_id"] + ":forged"})
    await c2.recv()
    await s.sleep(10)
    await c.close(1000)
    await c2.send({"type": "bye", "code": 4002})
    assert await c2.expect_closed() == 4002


@scenario(name="issuer_ping", tags=["protocol"])
async def issuer_ping(s):
    c = await s.connect("c1")
    await c.recv()
    await c.send({"type": "ping", "id": "p"})
    await c.recv()


@scenario(name="issuer_path_and_refusal", tags=["handshake"])
async def issuer_path_and_refusal(s):
    c = await s.connect("c1", path="/feed?v=3")
    assert (await c.recv())["path"] == "/feed?v=3"
    assert await s.expect_rejected("c2", headers={"X-Reconnect-Token": "made-up"}) == 401
