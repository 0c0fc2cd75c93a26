"""The ASGI app: Starlette accepts WebSocket connections on any path and feeds the protocol core.

Every server start gets a fresh `Chat` in its lifespan state (so several servers of the one app
object, in one process, share nothing); settings come as JSON in the `WSGM_SETTINGS`
environment variable, as for the legacy.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from port.chat import DEFAULT_SETTINGS, Chat, Out, encode


def settings_from_environment() -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **json.loads(os.environ.get("WSGM_SETTINGS") or "{}")}


class Peer:
    """One connection, as the protocol core sees it (hashable by identity, unlike WebSocket)."""

    __slots__ = ("socket",)

    def __init__(self, socket: WebSocket) -> None:
        self.socket = socket


async def deliver(out: Out) -> None:
    """Send each frame; a peer that has gone away meanwhile is skipped (its close is handled
    by its own connection)."""
    for peer, text in encode(out):
        with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
            await peer.socket.send_text(text)


def create_app(chat_factory: Callable[[dict[str, Any]], Chat] = lambda settings: Chat(settings)) -> Starlette:
    """The app; `chat_factory(settings)` makes the protocol state at each server start."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield {"chat": chat_factory(settings_from_environment())}

    async def endpoint(socket: WebSocket) -> None:
        chat: Chat = socket.state.chat
        peer = Peer(socket)
        await socket.accept()
        await deliver(chat.connect(peer))
        try:
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                await deliver(chat.receive(peer, message.get("text")))
        finally:
            await deliver(chat.disconnect(peer))

    return Starlette(routes=[WebSocketRoute("/{path:path}", endpoint)], lifespan=lifespan)


app = create_app()
