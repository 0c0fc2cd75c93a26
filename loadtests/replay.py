"""A blocking transcript replayer (``websockets.sync``, gevent-friendly) for load users.

It runs a recording's actions in order against a long-lived server and, before each action,
waits (bounded) until every client has as many frames as the recording shows, exactly like the
harness replayer's sync points (``harness.syncpoints``). Frames are counted, not compared: this
is load, the golden master checks content. Each wait that needed frames is one measured
"request", named after the message type that caused it.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import websockets.sync.connection
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from harness.corpus import collect_recordings, load_transcripts
from harness.redact import Restorer
from harness.syncpoints import Progress, plan
from harness.transcript import Event, Transcript
from subject_trading.config import harness_config

# tags whose recordings change server-wide state or rely on a server's own settings/timers
DEFAULT_SKIP_TAGS = frozenset({"sessions", "collections", "reconnect", "limits", "admin"})
PORTABLE_SETTINGS = frozenset({"bar_interval"})
RUN_STARTS = frozenset({"session_start", "collection_start"})

MESSAGE_TYPES = frozenset((
    "ping heartbeat echo version capabilities server_time handshake command auth login logout refresh_token "
    "reconnect subscribe unsubscribe session_start session_stop session_status collection_start collection_stop "
    "collection_status results_request get_strategies activate_strategy deactivate_strategy strategy_status "
    "validate_strategy_config upsert_strategy").split())

Report = Callable[[str, float, int, Exception | None], None]

SUBJECT = harness_config()


class _PollPerCall:
    """``selectors`` for websockets' sync connections under gevent (Locust's workers).

    gevent's patched ``DefaultSelector`` keeps a libev watcher per registered socket; websockets
    closes a connection's socket while its reader is still registered, and libev then aborts
    the whole process (``epoll_modify: Assertion ... invalid fd``). ``SelectSelector`` over
    gevent's cooperative ``select.select`` holds no watcher between calls.
    """

    DefaultSelector = selectors.SelectSelector
    EVENT_READ = selectors.EVENT_READ
    EVENT_WRITE = selectors.EVENT_WRITE


def cooperative_selectors() -> None:
    """Switch websockets' sync connections to :class:`_PollPerCall` when gevent patched ``selectors``."""
    try:
        from gevent import monkey
    except ImportError:
        return
    if monkey.is_module_patched("selectors"):
        websockets.sync.connection.selectors = _PollPerCall


def _starts_runs(transcript: Transcript) -> bool:
    """Whether the recording starts sessions or collections (one running session per user)."""
    return any(e.kind == "send" and _name_of(e) in RUN_STARTS for e in transcript.events)


def loadable(transcript: Transcript, skip_tags: Iterable[str] = DEFAULT_SKIP_TAGS) -> bool:
    """A recording fit for load: no skipped tag, no sleeps, no settings an external server lacks,
    and no session or collection starts (concurrent replays as one user would conflict)."""
    return (not set(skip_tags) & set(transcript.meta.tags)
            and not set(transcript.meta.settings) - PORTABLE_SETTINGS
            and not any(e.kind == "sleep" for e in transcript.events)
            and not _starts_runs(transcript))


def load_corpus(paths: list[Path], skip_tags: Iterable[str] = DEFAULT_SKIP_TAGS) -> list[Transcript]:
    """The loadable recordings under ``paths`` (files or directories)."""
    return [t for t in load_transcripts(collect_recordings(paths)) if loadable(t, skip_tags)]


def _name_of(event: Event) -> str:
    if event.text is None:
        return "binary"
    try:
        kind = json.loads(event.text).get("type")
    except (ValueError, AttributeError, RecursionError):  # hostile recordings send deeply nested JSON
        return "invalid"
    name = kind.lower() if isinstance(kind, str) else "invalid"
    return name if name in MESSAGE_TYPES or name == "invalid" else "unknown_type"


@dataclass
class Replay:
    """One replay of ``transcript`` against ``url``; ``report`` gets every measured exchange."""

    transcript: Transcript
    url: str
    report: Report
    timeout: float = 5.0
    clients: dict[str, ClientConnection] = field(default_factory=dict)
    frames: dict[str, int] = field(default_factory=dict)
    closes: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.restorer = Restorer(SUBJECT.redact, SUBJECT.fixtures, self.transcript.meta.settings)

    def run(self) -> None:
        steps, final = plan(self.transcript)
        pending: tuple[str, float] | None = None
        with contextlib.ExitStack() as self._open:  # every connection is closed on the way out
            for step in steps:
                pending = self._settle(step.before, pending)
                pending = self._act(step.event) or pending
            self._settle(final, pending)

    def _settle(self, progress: Progress, pending: tuple[str, float] | None) -> tuple[str, float] | None:
        """Wait for ``progress``; report the exchange that was waited for."""
        if progress.reached_by(self.frames, self.closes):
            return pending
        received = self._wait(progress)
        if pending is not None:
            self.report(pending[0], (time.perf_counter() - pending[1]) * 1000, received, None)
        return None

    def _wait(self, progress: Progress) -> int:
        deadline = time.monotonic() + self.timeout
        received = 0
        for name, need in progress.frames.items():
            while self.frames.get(name, 0) < need:
                received += self._read(name, deadline - time.monotonic())
        for name, need in progress.closes.items():
            while self.closes.get(name, 0) < need:
                self._read(name, deadline - time.monotonic())
        return received

    def _read(self, name: str, remaining: float) -> int:
        ws = self.clients.get(name)
        if ws is None or remaining <= 0:
            raise TimeoutError(f"{self.transcript.name}: {name}: frame {self.frames.get(name, 0) + 1} not received")
        try:
            message = ws.recv(timeout=remaining)
        except ConnectionClosed:
            self.closes[name] = self.closes.get(name, 0) + 1
            self.clients.pop(name)
            return 0
        if isinstance(message, str):
            self.restorer.received(name, message)
        self.frames[name] = self.frames.get(name, 0) + 1
        return len(message)

    def _act(self, event: Event) -> tuple[str, float] | None:
        started = time.perf_counter()
        if event.kind == "connect":
            headers = self.restorer.headers(event.headers or {})
            self.clients[event.client] = self._open.enter_context(connect(
                self.url, additional_headers=headers, proxy=None, compression=None, open_timeout=self.timeout,
                max_size=None))
            return ("connect", started)
        if event.kind == "send":
            payload = event.payload()
            self.clients[event.client].send(self.restorer.send_text(payload) if isinstance(payload, str) else payload)
            return (_name_of(event), started)
        if event.kind == "close":
            ws = self.clients.pop(event.client, None)
            if ws is not None:
                ws.close(event.code or 1000, event.reason or "")
                self.closes[event.client] = self.closes.get(event.client, 0) + 1
        return None


def replay(transcript: Transcript, url: str, report: Report, timeout: float = 5.0) -> None:
    """Replay once; a timeout or refused handshake raises (the caller reports it as a failure)."""
    Replay(transcript, url, report, timeout).run()


__all__ = ["Replay", "load_corpus", "loadable", "replay"]
