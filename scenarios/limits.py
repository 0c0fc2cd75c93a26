"""Limits: rate limit per IP, frame size (1009), connections (1013)."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import ask, ask_all, connect, leave  # noqa: E402
from harness.scenario import scenario  # noqa: E402


@scenario(name="rate_limit", tags=["limits", "errors"], settings={"rate_limit": 3})
async def rate_limit(s):
    """rate_limit 3 per IP: the 4th JSON object is rejected (request_id, session_id kept) and still counts;
    binary, invalid JSON and non-objects are answered before the limiter; a second connection shares it"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [
        {"type": "ping", "id": 1},
        {"type": "echo", "data": 1, "id": 2},
        {"type": "login", "username": "viewer", "password": "viewer123", "id": 3},
        {"type": "ping", "id": 4, "session_id": "abc"},
        {"type": "ping", "session_id": 7},
        "{not json",
        "[1]",
    ])
    await c1.send_binary(b"\x01")
    await c1.recv()
    c2, _ = await connect(s, "c2")
    await ask(c2, {"type": "ping", "id": 5})


@scenario(name="rate_limit_window", tags=["limits"], settings={"rate_limit": 2, "rate_window": 1.0})
async def rate_limit_window(s):
    """rate_limit 2 per 1 s window: limited inside the window, accepted again in the next one"""
    c1, _ = await connect(s, "c1")
    await ask_all(c1, [{"type": "ping", "id": n} for n in range(1, 4)])
    await s.sleep(1200)
    await ask_all(c1, [{"type": "ping", "id": n} for n in range(4, 7)])


@scenario(name="message_size_limit", tags=["limits"], settings={"max_message_size": 256})
async def message_size_limit(s):
    """max_message_size 256: capabilities reports it, a frame at the limit is answered, a bigger one closes 1009"""
    c1, _ = await connect(s, "c1")
    await ask(c1, {"type": "capabilities", "id": 1})
    frame = '{"type": "echo", "data": "' + "x" * 200 + '"}'
    await ask(c1, frame + " " * (256 - len(frame)))
    await c1.send({"type": "echo", "data": "y" * 300})
    await c1.expect_closed()
    c2, _ = await connect(s, "c2")
    await c2.send_binary(b"\x00" * 300)
    await c2.expect_closed()


@scenario(name="connection_limit", tags=["limits", "connections"], settings={"max_connections": 3})
async def connection_limit(s):
    """max_connections 3 (a constructor keyword, taken from settings): the 4th connection completes
    the handshake and is closed with 1013 and no welcome; the open ones keep working; once one
    leaves, a new connection is accepted again; health_check reports the load"""
    admin = await s.connect("c1")
    await admin.recv()
    await admin.send({"type": "login", "username": "admin", "password": "admin123", "id": 1})
    await admin.recv()
    others = []
    for name in ("c2", "c3"):
        client = await s.connect(name)
        await client.recv()
        others.append(client)
    extra = await s.connect("c4")
    await extra.expect_closed()
    await admin.send({"type": "ping", "id": 2})
    await admin.recv()
    await leave(s, others[0])
    again = await s.connect("c5")
    await again.recv()
    await admin.send({"type": "command", "command": "health_check", "id": 3})
    await admin.recv()
