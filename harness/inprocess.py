"""The `module:Class` target form: a server class started in this process, on its own thread and
event loop, so a blocked server cannot block replay."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any, AsyncIterator, Callable, Protocol, runtime_checkable

from harness.config import Timeouts
from harness.errors import TargetError
from harness.serverside import EventRecorder, ServerControl, accepts_event_bus
from harness.targets import LOOPBACK, LiveTarget, TargetSpec, constructor_arguments, load_server_class


@runtime_checkable
class InProcessServer(Protocol):
    """What a `module:Class` target is. The class is called as
    `Class(settings=<recording settings>, host="127.0.0.1", port=0, **own)`, where `own` holds the
    settings named in `[tool.harness.targets] constructor_keywords`, taken out of `settings`.
    `start()` listens (port 0: any free port) and sets `.port`; `stop()` closes everything."""

    port: int

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class ServerThread:
    """Builds, starts and stops one server instance inside a private event loop thread."""

    def __init__(self, factory: Callable[[], Any], label: str, timeout: float) -> None:
        self.factory = factory
        self.label = label
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name=f"target {label}", daemon=True)
        self.server: Any = None

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()
        with contextlib.suppress(BaseException):
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    async def _call(self, coroutine, what: str, timeout: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except asyncio.TimeoutError:
            future.cancel()
            raise TargetError(f"{what} timed out after {timeout:g} s") from None
        except TargetError:
            raise
        except Exception as exc:
            raise TargetError(f"{what} failed: {exc!r}") from None

    async def start(self) -> int:
        """Start the thread and the server; returns the server's port."""
        self.thread.start()
        return await self._call(self._boot(), "start", self.timeout)

    async def _boot(self) -> int:
        self.server = self.factory()
        await self.server.start()
        return self.server.port

    async def stop(self) -> None:
        """Stop the server (bounded), cancel what it left running, end the thread."""
        if self.thread.is_alive():
            with contextlib.suppress(TargetError):
                await self._call(self._shutdown(), "stop", self.timeout * 2 + 1)
            self.loop.call_soon_threadsafe(self.loop.stop)
            await asyncio.to_thread(self.thread.join, self.timeout)

    async def _shutdown(self) -> None:
        if self.server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.stop(), self.timeout)
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=self.timeout)


def _checked(server: Any, label: str) -> Any:
    if not isinstance(server, InProcessServer):
        raise TargetError(f"{label}: not a server (needs async start(), async stop() and .port)")
    return server


@contextlib.asynccontextmanager
async def serve_class(
    target: TargetSpec, settings: dict[str, Any] | None, timeouts: Timeouts, recorder: EventRecorder | None = None
) -> AsyncIterator[LiveTarget]:
    """A fresh instance of the class with `settings`, on its own thread; always stopped. A class
    whose constructor takes `event_bus` gets one that records what it publishes: `recorder`
    when given (the instances of a cluster share one), else its own."""
    cls = load_server_class(target)
    recorder = recorder or EventRecorder(asyncio.get_running_loop(), asyncio.Event())
    arguments = constructor_arguments(settings, target.keywords)
    bus = recorder if accepts_event_bus(cls) else None
    if bus is not None:
        arguments["event_bus"] = bus
    thread = ServerThread(lambda: _checked(cls(**arguments), target.spec), target.spec, timeouts.start)
    try:
        port = await thread.start()
        control = ServerControl(thread.server, thread.loop, bus)
        yield LiveTarget(f"ws://{LOOPBACK}:{port}/", control, recorder.arrived)
    finally:
        await thread.stop()
