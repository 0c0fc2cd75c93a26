"""Protocol messages that need no login, frame-level errors and the processing order."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import ask, ask_all, connect, login, requests  # noqa: E402
from harness.scenario import scenario  # noqa: E402

requests("ping", "ping -> pong, with a numeric id, a string id, a null id and no id", ["protocol"], [
    {"type": "ping", "id": 1},
    {"type": "ping", "id": "abc"},
    {"type": "ping", "id": None},
    {"type": "ping"},
    {"type": "ping", "id": {"nested": [1, 2]}},
], user=None)

requests("heartbeat", "heartbeat -> heartbeat_ack with the client id, anonymous and logged in", ["protocol"], [
    {"type": "heartbeat", "id": 2},
    {"type": "login", "username": "viewer", "password": "viewer123"},
    {"type": "heartbeat"},
], user=None)

requests("echo", "echo returns `data` as given (objects, unicode, floats, missing data -> null)", ["protocol"], [
    {"type": "echo", "data": {"x": [1, 2.5, "\u00e9"], "y": None, "z": True}, "id": 3},
    {"type": "echo"},
    {"type": "echo", "data": "snow \u2603 and a lone surrogate \ud800"},
    {"type": "echo", "data": [1e3, -0.0, 12345678901234567890]},
], user=None)

requests("version_and_capabilities", "version, capabilities and server_time replies", ["protocol"], [
    {"type": "version", "id": 1},
    {"type": "capabilities", "id": 2},
    {"type": "server_time", "id": 3},
], user=None)

requests("handshake", "handshake_ack before and after login (extra fields ignored)", ["protocol"], [
    {"type": "handshake", "client_version": "9.9", "id": 1},
    {"type": "login", "username": "trader", "password": "trader123"},
    {"type": "handshake", "id": 2},
], user=None)

requests("case_insensitive_types", "message types are matched case-insensitively", ["protocol"], [
    {"type": "PING", "id": 1},
    {"type": "Echo", "data": 1},
    {"type": "LOGIN", "username": "admin", "password": "admin123"},
    {"type": "Command", "command": "HEALTH_CHECK", "id": 2},
    {"type": "Subscribe", "stream": "orders"},
], user=None)

requests("requests_without_ids", "replies to requests without `id` carry no request_id (success and errors)",
         ["protocol"], [
    {"type": "ping"},
    {"type": "subscribe", "stream": "orders"},
    {"type": "login", "username": "trader", "password": "nope"},
    {"type": "nonsense"},
    {"type": "version"},
], user=None)

requests("malformed_json", "invalid JSON, NaN/Infinity, 1e400, huge ints and deep nesting -> invalid_json",
         ["protocol", "errors"], [
    "{bad json",
    "",
    '{"type": "ping", "id": 1',
    '{"type": "echo", "data": NaN}',
    '{"type": "echo", "data": Infinity}',
    '{"type": "echo", "data": -Infinity}',
    '{"type": "echo", "data": 1e400}',
    '{"type": "echo", "data": ' + "9" * 4301 + "}",
    '{"type": "echo", "data": ' + "[" * 63 + "]" * 63 + "}",
    '{"type": "echo", "data": ' + "[" * 70 + "]" * 70 + "}",
    '{"type": "echo", "data": ' + '{"a": ' * 70 + "1" + "}" * 70 + "}",
    "\u00ff{}",
], user=None)

requests("invalid_messages", "non-object JSON, missing/null/non-string type and unknown types", ["protocol", "errors"], [
    "[1, 2]",
    '"ping"',
    "42",
    "null",
    {"id": 1},
    {"type": None, "id": 2},
    {"type": 7, "id": 3, "session_id": "s-1"},
    {"type": ["ping"]},
    {"type": "teleport", "id": 4},
    {"type": "teleport", "session_id": "my-session"},
    {"type": "teleport", "session_id": 5},
    {"type": ""},
], user=None)


@scenario(name="binary_frames", tags=["protocol", "errors"])
async def binary_frames(s):
    """binary frames are answered with invalid_message (never processed), text still works after"""
    c1, _ = await connect(s, "c1")
    await c1.send_binary(b"\x00\x01\x02")
    await c1.recv()
    await c1.send_binary(b'{"type": "ping", "id": 1}')
    await c1.recv()
    await c1.send_binary(b"")
    await c1.recv()
    await ask(c1, {"type": "ping", "id": 2})


@scenario(name="command_success", tags=["protocol", "admin"])
async def command_success(s):
    """admin commands: get_stats and health_check (case-insensitive command names)"""
    c1, _ = await login(s, "c1", "admin")
    c2, _ = await login(s, "c2", "viewer")
    await ask(c2, {"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt"]})
    await ask(c1, {"type": "subscribe", "stream": "sessions"})
    await ask_all(c1, [
        {"type": "command", "command": "get_stats", "id": 1},
        {"type": "command", "command": "health_check", "id": 2},
        {"type": "command", "command": "Get_Stats"},
    ])


requests("command_errors", "command: authentication_required, insufficient_permissions, missing and unknown command",
         ["protocol", "admin", "errors"], [
    {"type": "command", "command": "get_stats", "id": 1},
    {"type": "login", "username": "trader", "password": "trader123"},
    {"type": "command", "command": "get_stats", "id": 2},
    {"type": "login", "username": "admin", "password": "admin123"},
    {"type": "command", "id": 3},
    {"type": "command", "command": None},
    {"type": "command", "command": "reboot", "id": 4},
    {"type": "command", "command": 5},
    {"type": "command", "command": "get_stats", "session_id": "abc"},
], user=None)
