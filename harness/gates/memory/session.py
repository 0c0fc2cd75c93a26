"""Replays for the memory gate: the corpus selection, round robin, against one long-lived server.

The server is started once with ``[tool.harness.memory] settings``; only recordings whose own
settings agree with those run (a recording made under other settings would test other code).
Two untimed passes over the selection come first: a recording that does not replay cleanly on a
server that has already served the others (state carried over) is left out, with the reason.
Tracking stops only once the server has finished closing its connections (``settle``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from typing import Any, AsyncIterator

from harness.config import HarnessConfig
from harness.errors import TargetError
from harness.gates.result import GateError
from harness.gates.selection import corpus_selection, fits
from harness.redact import Restorer
from harness.replay import ReplayFailed, timed_replay
from harness.targets import parse_target, running
from harness.transcript import Transcript

PROBE_PASSES = 2
SETTLE_POLL = 0.01  # seconds between looks at a server still closing connections


@contextlib.asynccontextmanager
async def long_lived(target: str, config: HarnessConfig) -> AsyncIterator[Any]:
    """The target started once with the memory settings; always stopped."""
    try:
        async with running(parse_target(target, config), dict(config.memory.settings), config.timeouts) as live:
            yield live
    except TargetError as exc:
        raise GateError(f"memory: {target}: {exc}") from None


class Replayer:
    """Replays the selected recordings against one running target."""

    def __init__(self, live: Any, config: HarnessConfig) -> None:
        self.live = live
        self.config = config
        self.timeouts = replace(config.timeouts, quiet=0.0, quiet_max=0.0)
        chosen = corpus_selection(config, config.memory)
        self.transcripts = tuple(t for t in chosen if fits(t, config.memory.settings))
        if not self.transcripts:
            raise GateError("memory: no recording matches [tool.harness.memory] recordings/exclude/settings")
        self.left_out: dict[str, str] = {}
        self.at_rest = 0  # tasks the server runs with no client connected

    async def replay(self, transcript: Transcript) -> None:
        """One replay; a replay that is not clean raises ReplayFailed (or asyncio.TimeoutError)."""
        restorer = Restorer(self.config.redact, self.config.fixtures, dict(self.config.memory.settings))
        await timed_replay(transcript, self.live, restorer, self.timeouts)

    async def probe(self) -> None:
        """Two passes; recordings that do not replay cleanly are left out."""
        self.at_rest = await self._server_tasks()
        for _ in range(PROBE_PASSES):
            for transcript in self.transcripts:
                try:
                    await self.replay(transcript)
                except (ReplayFailed, asyncio.TimeoutError) as exc:
                    self.left_out[transcript.name] = str(exc) or "timed out"
            self.transcripts = tuple(t for t in self.transcripts if t.name not in self.left_out)
        if not self.transcripts:
            raise GateError(f"memory: no selected recording replays cleanly: {next(iter(self.left_out.values()))}")

    async def _server_tasks(self) -> int:
        server = self.live.server
        return 0 if server is None else await server.running_tasks(self.timeouts.close)

    async def settle(self) -> None:
        """Wait, at most the close timeout, until an in-process server runs no more tasks than at
        rest: a connection still closing when tracking stops would count as retained."""
        deadline = asyncio.get_running_loop().time() + self.timeouts.close
        while await self._server_tasks() > self.at_rest and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(SETTLE_POLL)

    async def warm_up(self, count: int) -> None:
        """``count`` replays, then the server's rest level: the tasks it still runs once settled
        (a server may start background tasks with its first clients)."""
        await self.replays(count)
        await self.settle()
        self.at_rest = max(self.at_rest, await self._server_tasks())

    async def replays(self, count: int) -> None:
        """``count`` replays, round robin over the kept recordings."""
        for index in range(count):
            transcript = self.transcripts[index % len(self.transcripts)]
            try:
                await self.replay(transcript)
            except (ReplayFailed, asyncio.TimeoutError) as exc:
                raise GateError(f"memory: replay {index} ({transcript.name}) failed: {exc or 'timed out'}") from None
        await asyncio.sleep(0)
