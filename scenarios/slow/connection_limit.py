"""Connection limit at the default max_connections (slow: 1001 connections).

`recordings/connection_limit.jsonl` shows the same rule at `max_connections: 3`; this one
proves the default of 1000.
"""

from harness.scenario import scenario

MAX_CONNECTIONS = 1000


@scenario(name="connection_limit_default", tags=["limits", "slow"])
async def connection_limit_default(s):
    """max_connections (default 1000): the 1001st connection completes the handshake and is closed with
    1013 and no welcome; the connections already open keep working; health_check says degraded"""
    admin = await s.connect("c0")
    await admin.recv()
    await admin.send({"type": "login", "username": "admin", "password": "admin123", "id": 0})
    await admin.recv()
    clients = [admin]
    for n in range(1, MAX_CONNECTIONS):
        client = await s.connect(f"c{n}")
        await client.recv()
        clients.append(client)
    extra = await s.connect("extra")
    await extra.expect_closed()
    await admin.send({"type": "command", "command": "health_check", "id": 1})
    await admin.recv()
