"""The replayer: runs a transcript's client actions against a fresh target, bounded."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from harness.closecodes import close_with
from harness.config import Fixtures, Redaction, Timeouts
from harness.errors import ReplayFailed, TargetError
from harness.observation import ClientObservation, Frame, Observation
from harness.redact import Restorer
from harness.syncpoints import Progress, plan
from harness.targets import parse_target, running
from harness.transcript import Event, Transcript


@dataclass
class _ClientLog:
    """Frames and close codes of one named client, across its connections."""

    frames: list[Frame] = field(default_factory=list)
    close_codes: list[int | None] = field(default_factory=list)
    connect_errors: list[str] = field(default_factory=list)
    ws: ClientConnection | None = None
    reader: asyncio.Task | None = None

    def freeze(self, name: str) -> ClientObservation:
        return ClientObservation(
            name, tuple(self.frames), tuple(self.close_codes), tuple(self.connect_errors)
        )


class _Run:
    """One replay in progress: the open connections and what they received."""

    def __init__(self, transcript: Transcript, url: str, restorer: Restorer, timeouts: Timeouts) -> None:
        self.transcript = transcript
        self.url = url
        self.restorer = restorer
        self.timeouts = timeouts
        self.logs = {name: _ClientLog() for name in transcript.clients}
        self.activity = asyncio.Event()
        self.warnings: list[str] = []
        self.actions = {"connect": self.connect, "send": self.send, "close": self.close, "sleep": self.sleep}

    async def run(self) -> None:
        steps, final = plan(self.transcript)
        try:
            for step in steps:
                await self.wait_for(step.before, f"line {step.event.line}")
                await self.actions[step.event.kind](step.event)
            await self.wait_for(final, "the end")
            await self.wait_quiet()
        finally:
            await self.close_all()

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        return (
            {n: len(log.frames) for n, log in self.logs.items()},
            {n: len(log.close_codes) for n, log in self.logs.items()},
        )

    async def wait_for(self, progress: Progress, where: str) -> None:
        """Wait (bounded) until every client has seen what the recording shows."""
        deadline = time.monotonic() + self.timeouts.frame
        while not progress.reached_by(*self.counts()):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._hopeless(progress):
                self.warnings.append(
                    f"gave up before {where}: waiting for {progress.missing(*self.counts())}"
                )
                return
            await self._activity(remaining)

    def _hopeless(self, progress: Progress) -> bool:
        """True when every client still owing frames has no open connection to send them."""
        frames, _ = self.counts()
        owing = [name for name, need in progress.frames.items() if frames.get(name, 0) < need]
        return bool(owing) and all(self._ended(name) for name in owing)

    def _ended(self, name: str) -> bool:
        log = self.logs[name]
        return log.reader is None or log.reader.done()

    async def _activity(self, timeout: float) -> bool:
        self.activity.clear()
        try:
            await asyncio.wait_for(self.activity.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    async def wait_quiet(self) -> None:
        """Wait until no frame arrives for `quiet` seconds (at most `quiet_max`)."""
        deadline = time.monotonic() + self.timeouts.quiet_max
        while time.monotonic() < deadline:
            window = min(self.timeouts.quiet, deadline - time.monotonic())
            if not await self._activity(window):
                return

    async def connect(self, event: Event) -> None:
        log = self.logs[event.client]
        headers = self.restorer.headers(event.headers or {})
        url = self.url.rstrip("/") + (event.path or "/")
        try:
            log.ws = await connect(
                url,
                additional_headers=headers,
                compression="deflate" if event.offers_deflate else None,
                proxy=None,
                ping_interval=None,
                max_size=None,
                open_timeout=self.timeouts.connect,
                close_timeout=self.timeouts.close,
            )
        except InvalidStatus as exc:
            self._rejected(log, f"http {exc.response.status_code}")
            return
        except InvalidHandshake as exc:
            self._rejected(log, f"handshake failed: {exc}")
            return
        except (OSError, asyncio.TimeoutError) as exc:
            raise ReplayFailed(
                f"cannot connect {event.client} (line {event.line}) to {self.url}: {exc!r}"
            ) from None
        log.reader = asyncio.create_task(self.read(event.client, log, log.ws))

    def _rejected(self, log: _ClientLog, reason: str) -> None:
        log.connect_errors.append(reason)
        log.close_codes.append(None)
        self.activity.set()

    async def read(self, name: str, log: _ClientLog, ws: ClientConnection) -> None:
        try:
            async for message in ws:
                if isinstance(message, str):
                    self.restorer.received(name, message)
                log.frames.append(Frame.of(message))
                self.activity.set()
        except ConnectionClosed:
            pass
        log.close_codes.append(ws.close_code)
        self.activity.set()

    async def send(self, event: Event) -> None:
        ws = self.logs[event.client].ws
        payload = event.payload()
        if isinstance(payload, str):
            payload = self.restorer.send_text(payload)
        try:
            await asyncio.wait_for(ws.send(payload), self.timeouts.frame)
        except (ConnectionClosed, asyncio.TimeoutError, AttributeError):
            self.warnings.append(f"line {event.line}: {event.client} could not send (connection closed)")

    async def close(self, event: Event) -> None:
        log = self.logs[event.client]
        if log.ws is not None:
            await self._close(log, 1000 if event.code is None else event.code, event.reason or "")

    async def _close(self, log: _ClientLog, code: int, reason: str) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(close_with(log.ws, code, reason), self.timeouts.close + 1)
        await self._join(log)

    async def _join(self, log: _ClientLog) -> None:
        reader, log.ws, log.reader = log.reader, None, None
        if reader is None:
            return
        try:
            await asyncio.wait_for(reader, self.timeouts.close + 1)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            log.close_codes.append(1006)

    async def sleep(self, event: Event) -> None:
        await asyncio.sleep((event.ms or 0) / 1000)

    async def close_all(self) -> None:
        """Close every connection still open (1000), bounded."""
        await asyncio.gather(
            *(self._close(log, 1000, "") for log in self.logs.values() if log.ws is not None)
        )

    def observation(self, target: str, failed: str | None, duration: float) -> Observation:
        clients = {name: log.freeze(name) for name, log in self.logs.items()}
        return Observation(self.transcript.name, target, clients, failed, tuple(self.warnings), duration)


async def replay_recording(
    transcript: Transcript,
    target: str,
    *,
    fixtures: Fixtures | None = None,
    timeouts: Timeouts | None = None,
    redaction: Redaction | None = None,
) -> Observation:
    """Replay one transcript against a fresh `target`; target problems set `.failed`."""
    timeouts = timeouts or Timeouts()
    restorer = Restorer(redaction or Redaction(), fixtures or Fixtures(), transcript.meta.settings)
    started = time.perf_counter()
    run: _Run | None = None
    failed = None
    try:
        async with running(parse_target(target), transcript.meta.settings, timeouts.start) as url:
            run = _Run(transcript, url, restorer, timeouts)
            await asyncio.wait_for(run.run(), timeouts.recording)
    except asyncio.TimeoutError:
        failed = f"replay timed out after {timeouts.recording:g} s"
    except (TargetError, ReplayFailed) as exc:
        failed = str(exc)
    duration = time.perf_counter() - started
    if run is not None and transcript.meta.settings and not parse_target(target).in_process:
        run.warnings.append("external target: the recording's settings were not applied")
    if run is None:
        return Observation(transcript.name, target, failed=failed, duration=duration)
    return run.observation(target, failed, duration)


def replay_recording_sync(transcript: Transcript, target: str, **options) -> Observation:
    """replay_recording for synchronous callers (benchmarks, memory profiling)."""
    return asyncio.run(replay_recording(transcript, target, **options))
