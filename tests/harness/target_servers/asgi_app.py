"""A tiny Starlette app for `asgi:` targets, with module-level state that must not leak."""

import json
import os

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute

COUNT = {"messages": 0}
not_an_app = 42


async def echo(websocket) -> None:
    await websocket.accept()
    settings = json.loads(os.environ.get("WSGM_SETTINGS", "{}"))
    async for text in websocket.iter_text():
        COUNT["messages"] += 1
        if text == "close-4001":
            await websocket.close(4001, "asked to")
            return
        if text == "die":
            os._exit(5)
        reply = {"n": COUNT["messages"], "settings": settings, "header": websocket.headers.get("x-probe")}
        await websocket.send_text(json.dumps(reply))


app = Starlette(routes=[WebSocketRoute("/", echo)])


def make_app() -> Starlette:
    """A factory: called in each fresh child, after WSGM_SETTINGS is set."""
    settings = json.loads(os.environ.get("WSGM_SETTINGS", "{}"))
    COUNT["messages"] = settings.get("start", 0)
    return Starlette(routes=[WebSocketRoute("/", echo)])


def make_nothing():
    return None
