"""Tiny WebSocket servers with the worked subject's constructor, for harness tests."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import uuid
from datetime import datetime, timezone

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

DEV_PASSWORDS = {"admin": "admin123", "trader": "trader123", "viewer": "viewer123"}


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


class BaseServer:
    """`Server(settings=None, host=..., port=...)`, `await start()`, `.port`, `await stop()`."""

    def __init__(
        self, event_bus=None, logger=None, settings=None, host="localhost", port=8080, **_ignored
    ) -> None:
        self.settings = dict(settings or {})
        self.host = host
        self.port = port
        self.server = None

    async def start(self) -> None:
        self.server = await serve(
            self.handler,
            self.host,
            self.port,
            ping_interval=None,
            max_size=self.settings.get("max_message_size", 2**20),
            process_request=self.process_request,
        )
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    async def process_request(self, connection, request):
        return None

    async def handler(self, ws) -> None:
        async for message in ws:
            await ws.send(message)


class EchoServer(BaseServer):
    """Echoes text and binary frames."""


class ExtensionsServer(BaseServer):
    """Answers every frame with the names of the extensions negotiated on the connection."""

    async def handler(self, ws) -> None:
        async for _ in ws:
            await ws.send(json.dumps([extension.name for extension in ws.protocol.extensions]))


class IssuerServer(BaseServer):
    """Issues ids, reconnect tokens and access tokens; checks them when they come back."""

    AUTH_FAILED = "Invalid username or password"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tokens: dict[str, str] = {}

    async def process_request(self, connection, request):
        token = request.headers.get("X-Reconnect-Token")
        if token is not None and token not in self.tokens:
            return connection.respond(401, "bad token\n")
        return None

    def welcome(self, ws) -> dict:
        token = ws.request.headers.get("X-Reconnect-Token")
        client_id = self.tokens[token] if token else uuid.uuid4().hex[:12]
        new_token = f"{client_id}:{secrets.token_hex(8)}"
        self.tokens[new_token] = client_id
        return {
            "type": "status",
            "status": "connected",
            "client_id": client_id,
            "reconnect_token": new_token,
            "resumed": bool(token),
            "path": ws.request.path,
            "timestamp": now(),
        }

    async def handler(self, ws) -> None:
        await ws.send(json.dumps(self.welcome(ws)))
        try:
            async for message in ws:
                await self.dispatch(ws, message)
        except ConnectionClosed:
            pass

    async def dispatch(self, ws, message) -> None:
        if isinstance(message, bytes):
            await ws.send(
                json.dumps(
                    {
                        "type": "error",
                        "error_code": "invalid_message",
                        "error_message": "Binary frames are not supported",
                    }
                )
            )
            return
        try:
            request = json.loads(message)
        except ValueError:
            await ws.send(
                json.dumps(
                    {
                        "type": "error",
                        "error_code": "invalid_json",
                        "error_message": "Invalid JSON",
                        "timestamp": now(),
                    }
                )
            )
            return
        handler = self.HANDLERS.get(request.get("type"), IssuerServer.unknown)
        await handler(self, ws, request)

    async def login(self, ws, request) -> None:
        passwords = {**DEV_PASSWORDS, **self.settings.get("passwords", {})}
        if passwords.get(request.get("username")) != request.get("password"):
            await self.reply(
                ws,
                request,
                {"type": "error", "error_code": "authentication_failed", "error_message": self.AUTH_FAILED},
            )
            return
        token = secrets.token_urlsafe(16)
        self.tokens[token] = request["username"]
        await self.reply(
            ws,
            request,
            {
                "type": "response",
                "status": "logged_in",
                "access_token": token,
                "session_id": uuid.uuid4().hex,
                "timestamp": now(),
                "elapsed": 0.001,
            },
        )

    async def check(self, ws, request) -> None:
        ok = request.get("token") in self.tokens
        await self.reply(ws, request, {"type": "response", "status": "valid" if ok else "invalid"})

    async def ping(self, ws, request) -> None:
        await self.reply(ws, request, {"type": "pong", "timestamp": now()})

    async def bye(self, ws, request) -> None:
        await ws.close(int(request.get("code", 4000)), "bye")

    async def unknown(self, ws, request) -> None:
        await self.reply(
            ws,
            request,
            {
                "type": "error",
                "error_code": "invalid_message_type",
                "error_message": f"Unknown message type: {request.get('type')}",
            },
        )

    async def reply(self, ws, request, body: dict) -> None:
        if "id" in request:
            body["request_id"] = request["id"]
        await ws.send(json.dumps(body))

    HANDLERS = {"login": login, "check": check, "ping": ping, "bye": bye}


class EditedIssuerServer(IssuerServer):
    """A hand-edited copy: one error message changed."""

    AUTH_FAILED = "Wrong username or password"


class CloserServer(BaseServer):
    """Closes every connection with 4001 after the first message."""

    async def handler(self, ws) -> None:
        await ws.recv()
        await ws.close(4001, "go away")


class HangingServer(BaseServer):
    """Accepts connections and never answers."""

    async def handler(self, ws) -> None:
        await asyncio.sleep(3600)


class HangingStartServer(BaseServer):
    """Never finishes starting."""

    async def start(self) -> None:
        await asyncio.sleep(3600)


class CrashingStartServer(BaseServer):
    async def start(self) -> None:
        raise RuntimeError("boom at start")


class RefusingServer(BaseServer):
    """Starts, but its port refuses connections."""

    async def start(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]

    async def stop(self) -> None:
        return None


class BlockingServer(BaseServer):
    """Blocks its own event loop for two seconds on the first message."""

    async def handler(self, ws) -> None:
        import time

        await ws.recv()
        time.sleep(2)
