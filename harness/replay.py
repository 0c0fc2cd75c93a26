"""The replayer: runs a transcript's client actions against a fresh target, bounded."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from harness.closecodes import close_with
from harness.config import Fixtures, Redaction, Timeouts
from harness.errors import ReplayFailed, TargetError, TranscriptError
from harness.observation import ClientObservation, Frame, Observation, server_streams
from harness.redact import Restorer
from harness.serverside import CALLS, EVENTS, Outcome, ServerControl
from harness.syncpoints import Progress, plan
from harness.targets import LiveTarget, TargetSpec, parse_target, running
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
    """One replay in progress: the open connections and what they received, the outcomes of the
    calls made and (through `live`) what the server published."""

    def __init__(self, transcript: Transcript, live: LiveTarget, restorer: Restorer, timeouts: Timeouts) -> None:
        self.transcript = transcript
        self.live = live
        self.restorer = restorer
        self.timeouts = timeouts
        self.logs = {name: _ClientLog() for name in transcript.clients}
        self.outcomes: list[Outcome] = []
        self.activity = live.arrived
        self.warnings: list[str] = []
        self.slept = 0.0  # seconds spent in the recording's own sleep lines
        self.turns = itertools.count()  # connects without an `instance`, in order
        self.actions = {
            "connect": self.connect, "send": self.send, "close": self.close, "sleep": self.sleep, "call": self.call,
        }

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
        frames = {n: len(log.frames) for n, log in self.logs.items()}
        frames[CALLS] = len(self.outcomes)
        frames[EVENTS] = len(self.published())
        return frames, {n: len(log.close_codes) for n, log in self.logs.items()}

    def published(self):
        return self.live.server.published() if self.live.server is not None else ()

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
        """A client whose connection is over (a server-side stream never ends before the run)."""
        log = self.logs.get(name)
        return log is not None and (log.reader is None or log.reader.done())

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

    def instance_url(self, event: Event) -> str:
        """Where a connect goes: the instance it names, else the next instance in turn."""
        index = event.instance if event.instance is not None else next(self.turns) % self.live.count
        return self.live.instance(index).url

    async def connect(self, event: Event) -> None:
        log = self.logs[event.client]
        headers = self.restorer.headers(event.headers or {})
        url = self.instance_url(event).rstrip("/") + (event.path or "/")
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
                f"cannot connect {event.client} (line {event.line}) to {url}: {exc!r}"
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
        start = time.perf_counter()
        await asyncio.sleep((event.ms or 0) / 1000)
        self.slept += time.perf_counter() - start

    async def call(self, event: Event) -> None:
        """Call the server's method (bounded by `timeouts.frame`); its outcome is observed."""
        method = event.method or ""
        args, kwargs = json.loads(self.restorer.send_text(json.dumps([event.args or [], event.kwargs or {}])))
        outcome = await self.live.instance(event.instance).server.call(method, args, kwargs, self.timeouts.frame)
        if outcome.kind == "hung":
            self.warnings.append(f"line {event.line}: {method} did not return within {self.timeouts.frame:g} s")
        self.outcomes.append(outcome)
        self.activity.set()

    async def close_all(self) -> None:
        """Close every connection still open (1000), bounded."""
        await asyncio.gather(
            *(self._close(log, 1000, "") for log in self.logs.values() if log.ws is not None)
        )

    def observation(self, target: str, failed: str | None, duration: float) -> Observation:
        clients = {name: log.freeze(name) for name, log in self.logs.items()}
        clients.update(server_streams(self.outcomes, self.published()))
        return Observation(self.transcript.name, target, clients, failed, tuple(self.warnings), duration,
                           server_side=self.live.server is not None)


def not_applicable(transcript: Transcript, server: ServerControl | None) -> str | None:
    """Why the recording cannot run against a target without a Python side (None: it can)."""
    first_call = next(iter(transcript.calls), None)
    if server is not None or first_call is None:
        return None
    return (f"{transcript.path}:{first_call.line}: the recording calls the server's methods "
            f"({first_call.method}), which only an in-process target can run")


def check_calls(transcript: Transcript, server: ServerControl) -> None:
    """Every called method exists on the server and is callable (before anything runs)."""
    for event in transcript.calls:
        problem = server.problem(event.method or "")
        if problem is not None:
            raise TranscriptError(transcript.path, event.line, problem)


def check_instances(transcript: Transcript, live: LiveTarget, target: str) -> None:
    """Every `instance` a connect or call names exists in the target (a single server has one
    instance, which every line reaches: it ignores the field)."""
    if not live.instances:
        return
    for event in transcript.events:
        if event.instance is not None and event.instance >= live.count:
            raise TranscriptError(transcript.path, event.line,
                                  f"instance {event.instance} but {target} has {live.count} (0 to {live.count - 1})")


def _external_warnings(transcript: Transcript, spec: TargetSpec, live: LiveTarget) -> list[str]:
    """What replaying against this target leaves uncertain."""
    out = []
    if not spec.restartable:
        out.append("external target: not restarted, so server state carries over between replays")
    if transcript.meta.settings and not spec.restartable:
        out.append("external target: the recording's settings were not applied")
    if live.server is None and any(e.kind == "event" for e in transcript.events):
        out.append("external target: the recording's event lines are not compared (in-process targets only)")
    return out


def _replay_live(transcript: Transcript, target: str, live: LiveTarget, restorer: Restorer,
                       timeouts: Timeouts) -> _Run | Observation:
    """The run against a started target (its observation so far stays readable on a timeout), or
    the observation of a recording the target cannot run."""
    reason = not_applicable(transcript, live.server)
    if reason is not None:
        return Observation(transcript.name, target, server_side=False, not_applicable=reason)
    if live.server is not None:
        check_calls(transcript, live.server)
    check_instances(transcript, live, target)
    return _Run(transcript, live, restorer, timeouts)


def _resolved(target: str | TargetSpec) -> TargetSpec:
    return target if isinstance(target, TargetSpec) else parse_target(target)


async def replay_recording(
    transcript: Transcript,
    target: str | TargetSpec,
    *,
    fixtures: Fixtures | None = None,
    timeouts: Timeouts | None = None,
    redaction: Redaction | None = None,
) -> Observation:
    """Replay one transcript against a fresh `target` (a spec string, resolved with the working
    directory's configuration, or a resolved TargetSpec); target problems set `.failed`."""
    timeouts = timeouts or Timeouts()
    restorer = Restorer(redaction or Redaction(), fixtures or Fixtures(), transcript.meta.settings)
    name = getattr(target, "spec", target)
    started = time.perf_counter()
    run: _Run | Observation | None = None
    failed = None
    try:
        spec = _resolved(target)
        async with running(spec, transcript.meta.settings, timeouts) as live:
            run = _replay_live(transcript, name, live, restorer, timeouts)
            if isinstance(run, _Run):
                run.warnings += _external_warnings(transcript, spec, live)
                await asyncio.wait_for(run.run(), timeouts.recording)
    except asyncio.TimeoutError:
        failed = f"replay timed out after {timeouts.recording:g} s"
    except (TargetError, TranscriptError, ReplayFailed) as exc:
        failed = str(exc)
    duration = time.perf_counter() - started
    if isinstance(run, Observation):
        return run
    if run is None:
        return Observation(transcript.name, name, failed=failed, duration=duration)
    return run.observation(name, failed, duration)


class _StrictRun(_Run):
    """A run that stops at its first warning: a replay that is not clean is not worth timing."""

    async def wait_for(self, progress: Progress, where: str) -> None:
        await super().wait_for(progress, where)
        if self.warnings:
            raise ReplayFailed(self.warnings[0])


@dataclass(frozen=True)
class TimedReplay:
    """How long one replay against a running server took, its sleep lines left out."""

    seconds: float
    slept: float
    warnings: tuple[str, ...]


async def timed_replay(transcript: Transcript, live: LiveTarget, restorer: Restorer, timeouts: Timeouts) -> TimedReplay:
    """Replay ``transcript`` against the target ``running`` started as ``live`` (for timing: no fresh
    start, no observation kept). The first frame that does not come, or a send on a closed
    connection, ends it with ReplayFailed; ``timeouts.recording`` bounds it (asyncio.TimeoutError)."""
    run = _StrictRun(transcript, live, restorer, timeouts)
    start = time.perf_counter()
    await asyncio.wait_for(run.run(), timeouts.recording)
    elapsed = time.perf_counter() - start
    return TimedReplay(elapsed - run.slept, run.slept, tuple(run.warnings))


def replay_recording_sync(transcript: Transcript, target: str, **options) -> Observation:
    """replay_recording for synchronous callers (benchmarks, memory profiling)."""
    return asyncio.run(replay_recording(transcript, target, **options))
