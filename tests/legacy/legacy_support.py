"""Client helper and assertions for the legacy server tests."""

import asyncio
import json

RECV_TIMEOUT = 5.0

TEST_SETTINGS = {"bar_interval": 0.001, "rate_limit": 100000}


class Client:
    """JSON client that separates replies from pushed frames."""

    def __init__(self, ws, welcome):
        self.ws = ws
        self.welcome = welcome
        self.pushed = []
        self._next_id = 0

    @property
    def client_id(self):
        return self.welcome["client_id"]

    async def send(self, message):
        await self.ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    async def recv(self, timeout=RECV_TIMEOUT):
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def reply(self, timeout=RECV_TIMEOUT):
        """Next reply frame (response/error/pong); pushed frames are kept aside."""
        while True:
            frame = await self.recv(timeout)
            if frame.get("type") in ("response", "error", "pong"):
                return frame
            self.pushed.append(frame)

    async def request(self, message, timeout=RECV_TIMEOUT):
        self._next_id += 1
        message = dict(message)
        message.setdefault("id", self._next_id)
        await self.send(message)
        frame = await self.reply(timeout)
        assert frame.get("request_id") == message["id"], frame
        return frame

    async def wait_for(self, predicate, timeout=RECV_TIMEOUT):
        """Pushed frame matching predicate (looks at already-kept frames first)."""
        for i, frame in enumerate(self.pushed):
            if predicate(frame):
                return self.pushed.pop(i)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise asyncio.TimeoutError("no matching frame")
            frame = await self.recv(remaining)
            if predicate(frame):
                return frame
            self.pushed.append(frame)

    async def login(self, username="trader", password=None):
        password = password or f"{username}123"
        frame = await self.request({"type": "login", "username": username, "password": password})
        assert frame["status"] == "logged_in", frame
        return frame

    async def close(self):
        await self.ws.close()


def assert_error(frame, code, message=None):
    assert frame["type"] == "error", frame
    assert frame["error_code"] == code, frame
    if message is not None:
        assert frame["error_message"] == message, frame
    assert list(frame)[:5] == ["type", "error_code", "error_message", "session_id", "timestamp"]
