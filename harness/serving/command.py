"""The `cmd:COMMAND` target form: a server in any language, started fresh on a free port.

The command line is split like a shell line (not run by a shell) and `{port}` / `{host}` are
filled in. The process gets its own process group, the recording's settings as `WSGM_SETTINGS`
(JSON) and `[tool.harness.env]`; it is ready when it answers a WebSocket handshake (bounded by
`timeouts.start`) and is stopped with SIGTERM, then SIGKILL after `timeouts.close`, group and all.
Its merged stdout/stderr is kept as a tail and shown whenever it fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
from typing import Any, AsyncIterator

from harness.config import Timeouts
from harness.errors import TargetError
from harness.serving.process import listens, stop_group
from harness.serving.ready import free_port, port_taken, wait_ready
from harness.serving.tail import OutputTail
from harness.targets import LOOPBACK, LiveTarget, TargetSpec

PORT_ATTEMPTS = 3  # a free port can be taken between choosing it and the command binding it


def command_line(command: str, host: str, port: int) -> list[str]:
    """The argument vector: split first, then `{port}` and `{host}` filled into each word."""
    return [word.replace("{port}", str(port)).replace("{host}", host) for word in shlex.split(command)]


def process_env(target: TargetSpec, settings: dict[str, Any] | None) -> dict[str, str]:
    """The harness's environment, `[tool.harness.env]`, and the settings as `WSGM_SETTINGS`."""
    return {**os.environ, **dict(target.env), "WSGM_SETTINGS": json.dumps(settings or {})}


class CommandServer:
    """One started command: its process, its output tail, and how it failed."""

    def __init__(self, target: TargetSpec, process: asyncio.subprocess.Process, port: int) -> None:
        self.target = target
        self.process = process
        self.port = port
        self.tail = OutputTail()
        self.reader = asyncio.create_task(self.tail.follow(process.stdout))
        self.stopping = False

    @property
    def url(self) -> str:
        return f"ws://{LOOPBACK}:{self.port}/"

    def error(self, reason: str) -> TargetError:
        """The one error form: the command, the reason and the output tail."""
        return TargetError(f"cmd: {self.target.value!r}: {reason}{self.tail.render()}")

    def exited(self) -> str | None:
        code = self.process.returncode
        return None if code is None else f"exited with code {code}"

    async def ready(self, timeout: float) -> None:
        reason = await wait_ready(self.url, timeout, self.exited)
        if reason is None and not await asyncio.to_thread(listens, self.process.pid, self.port):
            reason = f"port {self.port} answers, but not from the command (the port is taken)"
        if reason is not None:
            await self.flush()
            raise self.error(f"{reason} (before it was ready)")

    async def flush(self) -> None:
        """Give the reader a moment to take what a dying process wrote last."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.reader), 0.2)

    async def stop(self, grace: float) -> str | None:
        """Stop the group (bounded); returns how it had died on its own, if it had."""
        died = self.exited()
        await stop_group(self.process.pid, grace)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.process.wait(), grace + 1)
        await self.flush()
        self.reader.cancel()
        return died


async def start_command(target: TargetSpec, settings: dict[str, Any] | None, timeouts: Timeouts) -> CommandServer:
    """Start the command on a free port, in the project's directory; TargetError (command, reason,
    tail) if it cannot. A port taken by someone else meanwhile means another try on another port."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = free_port(LOOPBACK)
        if port_taken(LOOPBACK, port):
            continue
        try:
            return await _start_on(port, target, settings, timeouts)
        except TargetError:
            if attempt == PORT_ATTEMPTS or not port_taken(LOOPBACK, port):
                raise
    raise TargetError(f"cmd: {target.value!r}: port {port} is taken ({PORT_ATTEMPTS} ports tried)")


async def _start_on(port: int, target: TargetSpec, settings: dict[str, Any] | None, timeouts: Timeouts) -> CommandServer:
    argv = command_line(target.value, LOOPBACK, port)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env=process_env(target, settings), start_new_session=True,
            cwd=target.root,
        )
    except OSError as exc:
        raise TargetError(f"cmd: {target.value!r}: cannot start: {exc}") from None
    server = CommandServer(target, process, port)
    try:
        await server.ready(timeouts.start)
    except BaseException:
        await server.stop(timeouts.close)
        raise
    return server


@contextlib.asynccontextmanager
async def serve_command(
    target: TargetSpec, settings: dict[str, Any] | None, timeouts: Timeouts
) -> AsyncIterator[LiveTarget]:
    """A fresh process for one run. A process that died during the run raises TargetError, in
    place of whatever the run raised because of it."""
    server = await start_command(target, settings, timeouts)
    try:
        yield LiveTarget(server.url, pid=server.process.pid)
    except (asyncio.CancelledError, GeneratorExit):
        await server.stop(timeouts.close)
        raise
    except BaseException:
        await _stop_checked(server, timeouts)
        raise
    await _stop_checked(server, timeouts)


async def _stop_checked(server: CommandServer, timeouts: Timeouts) -> None:
    died = await server.stop(timeouts.close)
    if died is not None:
        raise server.error(f"{died} during the run") from None
