"""The recording proxy: forwards frames both ways and tells the recorder what it saw."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import AsyncIterator

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request

from harness.closecodes import close_with
from harness.record import Recorder

CLIENT_HEADER = "X-Wsgm-Client"
INSTANCE_HEADER = "X-Wsgm-Instance"  # a scenario's `instance=`: the cluster instance to connect to
_NOT_FORWARDED = {
    "host",
    "upgrade",
    "connection",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
    "user-agent",
    "pragma",
    "cache-control",
    "accept-encoding",
    "accept-language",
    CLIENT_HEADER.lower(),
    INSTANCE_HEADER.lower(),
}


def offers_deflate(headers: Headers) -> bool:
    """Whether a client's handshake offers permessage-deflate."""
    return any("permessage-deflate" in value for value in headers.get_all("Sec-WebSocket-Extensions"))


def forwarded_headers(headers: Headers) -> dict[str, str]:
    """The handshake headers a proxy passes on (and records)."""
    return {name: value for name, value in headers.raw_items() if name.lower() not in _NOT_FORWARDED}


def requested_instance(headers: Headers) -> int | None:
    """The instance a client asks for (`X-Wsgm-Instance: N`), None when it names none."""
    value = headers.get(INSTANCE_HEADER, "")
    return int(value) if value.isascii() and value.isdigit() else None


class RecordingProxy:
    """One proxy in front of `upstream` (a URL, or the URLs of a cluster's instances: a connection
    goes to the instance it asks for, else to the next in turn); every connection is recorded as
    a named client."""

    def __init__(self, upstream: str | tuple[str, ...], recorder: Recorder, timeout: float = 5.0) -> None:
        self.upstreams = (upstream,) if isinstance(upstream, str) else tuple(upstream)
        self.turns = itertools.count()
        self.recorder = recorder
        self.timeout = timeout
        self.numbers = itertools.count(1)
        self.pending: dict[int, tuple[str, ClientConnection]] = {}
        self.handlers: set[asyncio.Task] = set()

    async def process_request(self, connection: ServerConnection, request: Request):
        """Open the upstream connection first, so an upstream refusal is passed on."""
        name = request.headers.get(CLIENT_HEADER) or f"c{next(self.numbers)}"
        headers = forwarded_headers(request.headers)
        deflate = offers_deflate(request.headers)
        instance = requested_instance(request.headers)
        upstream = self.upstream_for(instance)
        if upstream is None:
            return connection.respond(400, f"no instance {instance}\n")
        self.recorder.connect(name, headers, request.path, deflate, instance)
        url = upstream.rstrip("/") + request.path
        try:
            upstream = await connect(
                url,
                additional_headers=headers,
                compression="deflate" if deflate else None,
                proxy=None,
                ping_interval=None,
                max_size=None,
                open_timeout=self.timeout,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            self.recorder.closed(name, None, f"http {status}")
            return connection.respond(status, f"upstream answered {status}\n")
        except (OSError, asyncio.TimeoutError) as exc:
            self.recorder.closed(name, None, f"upstream unreachable: {exc}")
            return connection.respond(502, "upstream unreachable\n")
        self.pending[id(connection)] = (name, upstream)
        return None

    def upstream_for(self, instance: int | None) -> str | None:
        """The URL a connection goes to (None: the instance it names does not exist)."""
        if len(self.upstreams) == 1:
            return self.upstreams[0]
        index = next(self.turns) % len(self.upstreams) if instance is None else instance
        return self.upstreams[index] if index < len(self.upstreams) else None

    async def handle(self, ws: ServerConnection) -> None:
        name, upstream = self.pending.pop(id(ws))
        self.handlers.add(asyncio.current_task())
        try:
            await self._relay(name, ws, upstream)
        finally:
            self.handlers.discard(asyncio.current_task())

    async def _relay(self, name: str, ws: ServerConnection, upstream: ClientConnection) -> None:
        outgoing = asyncio.create_task(self._pump(ws, upstream, lambda m: self.recorder.send(name, m)))
        incoming = asyncio.create_task(self._pump(upstream, ws, lambda m: self.recorder.recv(name, m)))
        done, _ = await asyncio.wait({outgoing, incoming}, return_when=asyncio.FIRST_COMPLETED)
        if outgoing in done and incoming not in done:
            self.recorder.close(name, ws.close_code, ws.close_reason or "")
            await self._bounded(close_with(upstream, ws.close_code, ws.close_reason or ""))
        await self._bounded(incoming)
        code = 1006 if upstream.close_code is None else upstream.close_code
        self.recorder.closed(name, code, upstream.close_reason or "")
        await self._bounded(close_with(ws, upstream.close_code or 1011, upstream.close_reason or ""))
        await self._bounded(outgoing)

    async def _bounded(self, awaitable) -> None:
        with contextlib.suppress(Exception, asyncio.TimeoutError):
            await asyncio.wait_for(awaitable, self.timeout)

    @staticmethod
    async def _pump(source, sink, record) -> None:
        """Copy frames from `source` to `sink`, recording each; ends when `source` closes."""
        with contextlib.suppress(ConnectionClosed):
            async for message in source:
                record(message)
                with contextlib.suppress(ConnectionClosed):
                    await sink.send(message)

    async def drain(self) -> None:
        """Wait (bounded) for the connections in progress to finish recording."""
        if self.handlers:
            await asyncio.wait(set(self.handlers), timeout=self.timeout * 2)


@contextlib.asynccontextmanager
async def recording_proxy(
    upstream: str | tuple[str, ...], recorder: Recorder, host: str = "127.0.0.1", port: int = 0, timeout: float = 5.0
) -> AsyncIterator[RecordingProxy]:
    """Serve a recording proxy; yields it with `.url` set; drains and stops on exit."""
    proxy = RecordingProxy(upstream, recorder, timeout)
    async with serve(
        proxy.handle, host, port, process_request=proxy.process_request, max_size=None, ping_interval=None
    ) as server:
        bound = server.sockets[0].getsockname()
        proxy.url = f"ws://{bound[0]}:{bound[1]}/"
        try:
            yield proxy
        finally:
            await proxy.drain()
            server.close()
