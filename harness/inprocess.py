"""An in-process server on its own thread and event loop, so a blocked server cannot block replay."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any, Callable

from harness.errors import TargetError


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
