"""Client helper for hostile-input tests: every frame is checked for leaked tracebacks."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

RECV_TIMEOUT = 5.0
REPLY_TYPES = ("response", "error", "pong")
LEAKS = ("Traceback", 'File "', "Internal server error")


def assert_clean(text: str | bytes) -> None:
    """No traceback or internal error on the wire."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for leak in LEAKS:
        assert leak not in text, text[:800]


class Client:
    """JSON client; replies separated from pushed frames; every frame checked."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.welcome: dict | None = None
        self.pushed: list[dict] = []
        self.frames: list[Any] = []
        self.aborted = False
        self._n = 0

    def check(self, frame: Any) -> None:
        self.frames.append(frame)
        assert_clean(json.dumps(frame) if not isinstance(frame, (str, bytes)) else frame)

    async def send(self, message: Any) -> None:
        await self.ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    async def recv(self, timeout: float = RECV_TIMEOUT) -> Any:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        assert_clean(raw)
        frame = json.loads(raw)
        self.check(frame)
        return frame

    async def reply(self, timeout: float = RECV_TIMEOUT) -> dict:
        while True:
            frame = await self.recv(timeout)
            if frame.get("type") in REPLY_TYPES:
                return frame
            self.pushed.append(frame)

    async def request(self, message: dict, timeout: float = RECV_TIMEOUT) -> dict:
        self._n += 1
        message = dict(message)
        message.setdefault("id", self._n)
        await self.send(message)
        frame = await self.reply(timeout)
        assert frame.get("request_id") == message["id"], frame
        return frame

    async def ask(self, raw: Any, timeout: float = RECV_TIMEOUT) -> dict:
        """Send anything; return the next reply."""
        await self.send(raw)
        return await self.reply(timeout)

    async def login(self, username: str = "trader", password: str | None = None) -> dict:
        frame = await self.request({"type": "login", "username": username,
                                    "password": password or f"{username}123"})
        assert frame["status"] == "logged_in", frame
        return frame

    async def wait_for(self, predicate, timeout: float = RECV_TIMEOUT) -> dict:
        for i, frame in enumerate(self.pushed):
            if predicate(frame):
                return self.pushed.pop(i)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise asyncio.TimeoutError("no matching frame")
            frame = await self.recv(remaining)
            if predicate(frame):
                return frame
            self.pushed.append(frame)

    async def closed_code(self, timeout: float = RECV_TIMEOUT) -> int | None:
        """Wait until the server closed the connection; its close code."""
        await asyncio.wait_for(self.ws.wait_closed(), timeout)
        return self.ws.close_code

    def abort(self) -> None:
        """Drop the TCP connection without a closing handshake."""
        self.aborted = True
        self.ws.transport.abort()

    async def close(self) -> None:
        await asyncio.wait_for(self.ws.close(), RECV_TIMEOUT)


def assert_error(frame: dict, code: str, message: str | None = None) -> None:
    assert frame["type"] == "error", frame
    assert frame["error_code"] == code, frame
    if message is not None:
        assert frame["error_message"] == message, frame
    assert list(frame)[:5] == ["type", "error_code", "error_message", "session_id", "timestamp"], frame


# Handled, client-caused failures some servers log at ERROR level (answered with a structured error).
HANDLED_ERRORS = ("Failed to write strategy file",)


class LogWatch(logging.Handler):
    """Collects log records that reveal an unhandled failure, and loop exception-handler calls."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.loop_errors: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def problems(self) -> list[str]:
        bad = []
        for record in self.records:
            text = record.getMessage()
            handled = record.levelno == logging.ERROR and text.startswith(HANDLED_ERRORS)
            if ((record.levelno >= logging.ERROR and not handled) or record.exc_info
                    or "Task exception was never retrieved" in text or "Traceback" in text):
                bad.append(f"{record.name}:{record.levelname}: {text}")
        bad += [f"loop: {ctx.get('message')} {ctx.get('exception')!r}" for ctx in self.loop_errors]
        return bad
