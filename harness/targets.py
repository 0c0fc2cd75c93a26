"""Targets: a server class started in process, or an external `ws://` URL."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

from harness.errors import TargetError
from harness.inprocess import ServerThread
from harness.serverside import EventRecorder, ServerControl, accepts_event_bus

SHORT_NAMES = {
    "legacy": "legacy.websocket_server:WebSocketAPIServer",
    "refactored": "refactored:WebSocketAPIServer",
    "compat": "compat:WebSocketAPIServer",
}
LOOPBACK = "127.0.0.1"
# Settings keys that the shared constructor takes as keyword arguments of its own.
CONSTRUCTOR_SETTINGS = ("max_connections", "heartbeat_interval", "jwt_secret")


@dataclass(frozen=True)
class TargetSpec:
    """A resolved target: either an importable `module:attr` or an external URL."""

    spec: str
    module: str = ""
    attr: str = ""
    url: str = ""

    @property
    def in_process(self) -> bool:
        return not self.url


def parse_target(spec: str) -> TargetSpec:
    """Resolve a short name, `module:attr` or `ws://host:port` (no import yet)."""
    full = SHORT_NAMES.get(spec, spec)
    if full.startswith(("ws://", "wss://")):
        return TargetSpec(spec=spec, url=full)
    module, sep, attr = full.partition(":")
    if not (sep and module and attr.isidentifier()):
        raise TargetError(f"bad target {spec!r}: want legacy, refactored, module:Class or ws://host:port")
    return TargetSpec(spec=spec, module=module, attr=attr)


def load_server_class(target: TargetSpec) -> Any:
    """Import the server class of an in-process target."""
    try:
        module = importlib.import_module(target.module)
    except Exception as exc:  # an import error of the target is reported, not raised through
        raise TargetError(f"cannot import {target.module!r}: {exc!r}") from None
    namespace = vars(module)
    if target.attr not in namespace:
        raise TargetError(f"{target.module!r} has no attribute {target.attr!r}")
    return namespace[target.attr]


def constructor_arguments(settings: dict[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments for a server class: the recording's settings, with the keys the
    constructor takes itself (e.g. `max_connections`) moved out of `settings`."""
    remaining = dict(settings or {})
    own = {key: remaining.pop(key) for key in CONSTRUCTOR_SETTINGS if key in remaining}
    return {"settings": remaining, "host": LOOPBACK, "port": 0, **own}


@dataclass(frozen=True)
class LiveTarget:
    """A started target: its URL; for an in-process server, its Python side (`server`, else None);
    `arrived` is set whenever the server publishes on its event bus."""

    url: str
    server: ServerControl | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


@contextlib.asynccontextmanager
async def running(
    target: TargetSpec, settings: dict[str, Any] | None, start_timeout: float = 10.0
) -> AsyncIterator[LiveTarget]:
    """Start the target (fresh, with `settings`, on its own thread), yield it live, always stop it.
    An in-process server whose constructor takes `event_bus` gets one that records publications."""
    if not target.in_process:
        yield LiveTarget(target.url)
        return
    cls = load_server_class(target)
    arrived = asyncio.Event()
    arguments = constructor_arguments(settings)
    bus = EventRecorder(asyncio.get_running_loop(), arrived) if accepts_event_bus(cls) else None
    if bus is not None:
        arguments["event_bus"] = bus
    thread = ServerThread(lambda: cls(**arguments), target.spec, start_timeout)
    try:
        port = await thread.start()
        control = ServerControl(thread.server, thread.loop, bus)
        yield LiveTarget(f"ws://{LOOPBACK}:{port}/", control, arrived)
    finally:
        await thread.stop()
