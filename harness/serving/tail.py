"""The last lines a started server wrote: a bounded ring, shown when it fails."""

from __future__ import annotations

import asyncio
from collections import deque
from pathlib import Path

TAIL_LINES = 20


class OutputTail:
    """Keeps the last `size` lines of a stream (stdout and stderr merged)."""

    def __init__(self, size: int = TAIL_LINES) -> None:
        self.lines: deque[str] = deque(maxlen=size)

    async def follow(self, stream: asyncio.StreamReader) -> None:
        """Read `stream` to its end, keeping the tail."""
        while line := await stream.readline():
            self.add(line.decode("utf-8", "replace"))

    def add(self, text: str) -> None:
        for line in text.splitlines():
            self.lines.append(line.rstrip())

    def render(self) -> str:
        """`; last output:` and the lines, indented; empty when there were none."""
        if not self.lines:
            return "; no output"
        return "; last output:\n" + "\n".join(f"    | {line}" for line in self.lines)


def file_tail(path: Path, size: int = TAIL_LINES, limit: int = 16384) -> OutputTail:
    """The tail of a log file (reading at most its last `limit` bytes)."""
    tail = OutputTail(size)
    try:
        with path.open("rb") as stream:
            stream.seek(max(0, path.stat().st_size - limit))
            tail.add(stream.read().decode("utf-8", "replace"))
    except OSError:
        pass
    return tail
