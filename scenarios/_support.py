"""Helpers shared by the scenario scripts (files starting with `_` are not scenario files)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from harness.scenario import scenario

PASSWORDS = {"admin": "admin123", "trader": "trader123", "viewer": "viewer123"}
FAST = {"bar_interval": 0.005}
STATS = {"type": "command", "command": "get_stats"}  # admin only


async def ask(client, message: Any) -> Any:
    """Send one request and return its reply (the next frame)."""
    await client.send(message)
    return await client.recv()


async def ask_all(client, messages: list[Any]) -> list[Any]:
    """Send requests one by one, each after the previous reply."""
    return [await ask(client, message) for message in messages]


async def connect(s, name: str, headers: dict[str, str] | None = None):
    """Open a client and read its welcome; returns (client, welcome)."""
    client = await s.connect(name, headers=headers)
    return client, await client.recv()


async def login(s, name: str, user: str | None):
    """Open a client, read its welcome and log in as `user` (None: stay anonymous)."""
    client, welcome = await connect(s, name)
    if user is not None:
        password = (s.settings.get("passwords") or {}).get(user, PASSWORDS[user])
        reply = await ask(client, {"type": "login", "id": f"login-{name}", "username": user, "password": password})
        assert reply.get("status") == "logged_in", reply
    return client, welcome


def requests(name: str, doc: str, tags: list[str], messages: list[Any], *, user: str | None = "trader",
             settings: dict | None = None, setup: list[Any] | None = None) -> None:
    """Register a scenario: one client (logged in as `user`) sends `setup` then `messages`."""

    async def run(s) -> None:
        client, _ = await login(s, "c1", user)
        await ask_all(client, list(setup or []) + list(messages))

    run.__doc__ = doc
    run.__name__ = name
    run.__module__ = sys._getframe(1).f_globals["__name__"]
    scenario(name=name, tags=tags, settings=settings)(run)


async def until(client, type_: str, status: str | None = None, max_frames: int = 500) -> list[Any]:
    """Receive frames until one of `type_` (and `data.status`, if given) arrives; returns them all."""
    frames = []
    for _ in range(max_frames):
        frame = await client.recv()
        frames.append(frame)
        if isinstance(frame, dict) and frame.get("type") == type_ and (
                status is None or (frame.get("data") or {}).get("status") == status):
            return frames
    raise AssertionError(f"{client.name}: no {type_} {status or ''} within {max_frames} frames")


async def frames(client, count: int) -> list[Any]:
    """Receive exactly `count` frames."""
    return [await client.recv() for _ in range(count)]


async def leave(s, client, code: int = 1000) -> None:
    """Close a client and wait until the recording shows the connection ended.

    `close()` returns when the client side is done; the proxy records `closed` only once the
    server side has closed too. Waiting for it keeps the next action after the `closed` line,
    so replay waits for the server to see the disconnect before going on.
    """
    def ended() -> int:
        return sum(1 for e in s.recorder.events if e.kind == "closed" and e.client == client.name)

    before = ended()
    await client.close(code)
    for _ in range(200):
        if ended() > before:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{client.name}: the proxy did not record the close")


SETTLE_MS = 100  # after a client left, the server has finished with its connection


async def returned(s, method: str, *args, **kwargs) -> Any:
    """Call a public method of the server that must return; its (JSON) value."""
    outcome = await s.call(method, *args, **kwargs)
    assert outcome.kind == "returned", outcome
    return outcome.value
