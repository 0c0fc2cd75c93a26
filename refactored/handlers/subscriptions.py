"""Stream subscriptions: subscribe and unsubscribe."""

from __future__ import annotations

from typing import Any

from refactored.app import App
from refactored.core.dispatch import HandlerSpec, Reply, Request
from refactored.core.effects import Publish
from refactored.core.errors import AlreadySubscribed, NotSubscribed
from refactored.core.messages import response, stream_frame
from refactored.core.schema import Param
from refactored.handlers.checks import stream, symbols_or_none
from refactored.lifecycle.registry import ConnectionRegistry
from refactored.wire import CRITICAL_STREAMS, STREAMS

STREAM = Param("stream", stream)


def subscribe(req: Request, registry: ConnectionRegistry) -> Reply:
    name, symbols = req.params["stream"], req.params["symbols"] or []
    if name in req.conn.subscriptions:
        raise AlreadySubscribed(f"Already subscribed to stream: {name}")
    registry.subscribe(req.conn, name, tuple(symbols))
    return response("subscribed", stream=name, symbols=list(symbols))


def unsubscribe(req: Request, registry: ConnectionRegistry) -> Reply:
    name = req.params["stream"]
    if name not in req.conn.subscriptions:
        raise NotSubscribed(f"Not subscribed to stream: {name}")
    registry.unsubscribe(req.conn, name)
    return response("unsubscribed", stream=name)


async def broadcast(app: App, name: str, data: Any, exclude: str | None) -> Publish | None:
    """``broadcast_to_subscribers``: a stream frame; a critical one gets ``broadcast:<n>`` if it has
    no id (numbered across the cluster)."""
    if name not in STREAMS:
        return None
    data = dict(data) if isinstance(data, dict) else {"value": data}
    if name in CRITICAL_STREAMS and "message_id" not in data:
        data["message_id"] = f"broadcast:{await app.fanout.next_broadcast_id()}"
    message_id = data["message_id"] if name in CRITICAL_STREAMS else None
    return Publish(name, stream_frame(name, data, app.clock.iso()), exclude, message_id)


SPECS = (
    HandlerSpec("subscribe", subscribe, auth=True, required=("stream",),
                params=(STREAM, Param("symbols", symbols_or_none)), uses=("registry",)),
    HandlerSpec("unsubscribe", unsubscribe, auth=True, required=("stream",), params=(STREAM,), uses=("registry",)),
)
