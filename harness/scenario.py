"""Scenario scripts: Python that drives clients through the recording proxy."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from harness.closecodes import close_with
from harness.config import HarnessConfig
from harness.errors import ScenarioError
from harness.proxy import CLIENT_HEADER, INSTANCE_HEADER, recording_proxy
from harness.record import Recorder, new_meta
from harness.serverside import Outcome, jsonable
from harness.targets import LiveTarget, parse_target, running
from harness.transcript import Transcript

ScenarioFn = Callable[["ScenarioSession"], Awaitable[None]]
REGISTRY: list["Scenario"] = []


@dataclass(frozen=True)
class Scenario:
    """A named scenario function with the server settings it needs."""

    name: str
    fn: ScenarioFn
    tags: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    source: str = ""


def scenario(
    name: str, tags: list[str] | tuple[str, ...] = (), settings: dict[str, Any] | None = None
) -> Callable[[ScenarioFn], ScenarioFn]:
    """Register `async def f(s)` as a scenario (its recording is `<name>.jsonl`)."""

    def register(fn: ScenarioFn) -> ScenarioFn:
        REGISTRY.append(Scenario(name, fn, tuple(tags), dict(settings or {}), fn.__module__))
        return fn

    return register


def _decode(message: str | bytes) -> Any:
    if isinstance(message, bytes):
        return message
    try:
        return json.loads(message)
    except ValueError:
        return message


class ScenarioClient:
    """One client of a scenario, connected through the recording proxy."""

    def __init__(self, name: str, ws: ClientConnection, timeout: float) -> None:
        self.name = name
        self.ws = ws
        self.timeout = timeout

    async def send(self, message: Any) -> None:
        """Send a dict/list as JSON text, a str verbatim."""
        text = message if isinstance(message, str) else json.dumps(message)
        await self.ws.send(text)

    async def send_binary(self, data: bytes) -> None:
        await self.ws.send(bytes(data))

    async def recv(self, timeout: float | None = None) -> Any:
        """The next frame: a dict for a JSON text frame, else str or bytes (bounded)."""
        try:
            message = await asyncio.wait_for(self.ws.recv(), timeout or self.timeout)
        except asyncio.TimeoutError:
            raise ScenarioError(f"{self.name}: no frame within {timeout or self.timeout:g} s") from None
        except ConnectionClosed as exc:
            raise ScenarioError(
                f"{self.name}: connection closed ({exc.rcvd.code if exc.rcvd else 1006})"
            ) from None
        return _decode(message)

    async def recv_until(self, type_: str, max_frames: int = 100) -> Any:
        """Receive until a JSON frame with this `type` arrives; returns it."""
        for _ in range(max_frames):
            frame = await self.recv()
            if isinstance(frame, dict) and frame.get("type") == type_:
                return frame
        raise ScenarioError(f"{self.name}: no {type_!r} frame within {max_frames} frames")

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await close_with(self.ws, code, reason)

    async def expect_closed(self, timeout: float | None = None) -> int | None:
        """Wait (bounded) until the server closed the connection; returns the close code."""
        try:
            await asyncio.wait_for(self.ws.wait_closed(), timeout or self.timeout)
        except asyncio.TimeoutError:
            raise ScenarioError(f"{self.name}: still open after {timeout or self.timeout:g} s") from None
        return self.ws.close_code


class ScenarioSession:
    """What a scenario function receives as `s`."""

    def __init__(self, url: str, recorder: Recorder, config: HarnessConfig, settings: dict, live: LiveTarget) -> None:
        self.url = url
        self.recorder = recorder
        self.config = config
        self.settings = settings
        self.fixtures = config.fixtures
        self.live = live
        self.clients: list[ScenarioClient] = []
        self.events_recorded = 0

    def _instance(self, instance: int | None) -> dict[str, str]:
        """The proxy header naming a cluster instance (none when None); ScenarioError when the
        target has no such instance (a single server is instance 0 and takes any: it ignores it)."""
        if instance is None:
            return {}
        if not isinstance(instance, int) or isinstance(instance, bool) or instance < 0:
            raise ScenarioError(f"instance must be a whole number >= 0, not {instance!r}")
        if self.live.instances and instance >= self.live.count:
            raise ScenarioError(f"instance {instance} but the target has {self.live.count} (0 to {self.live.count - 1})")
        return {INSTANCE_HEADER: str(instance)}

    async def _open(self, name: str, headers: dict[str, str] | None, path: str,
                    deflate: bool = True, instance: int | None = None) -> ClientConnection:
        timeouts = self.config.timeouts
        return await connect(
            self.url.rstrip("/") + path,
            additional_headers={**(headers or {}), CLIENT_HEADER: name, **self._instance(instance)},
            compression="deflate" if deflate else None,
            proxy=None,
            ping_interval=None,
            max_size=None,
            open_timeout=timeouts.connect,
            close_timeout=timeouts.close,
        )

    async def connect(
        self, name: str, headers: dict[str, str] | None = None, path: str = "/", deflate: bool = True,
        instance: int | None = None,
    ) -> ScenarioClient:
        """Open client `name` (optional handshake headers and request path) through the proxy;
        `deflate=False`: a client that does not offer permessage-deflate; `instance`: the cluster
        instance to connect to (recorded; default: the next in turn)."""
        try:
            ws = await self._open(name, headers, path, deflate, instance)
        except InvalidStatus as exc:
            raise ScenarioError(f"{name}: handshake refused (http {exc.response.status_code})") from None
        client = ScenarioClient(name, ws, self.config.timeouts.frame)
        self.clients.append(client)
        return client

    async def expect_rejected(self, name: str, headers: dict[str, str] | None = None, path: str = "/") -> int:
        """Connect `name` expecting the server to refuse the handshake; returns the HTTP status."""
        try:
            ws = await self._open(name, headers, path)
        except InvalidStatus as exc:
            return exc.response.status_code
        await close_with(ws, 1000)
        raise ScenarioError(f"{name}: handshake was accepted, expected a refusal")

    async def sleep(self, ms: float) -> None:
        """Let time pass (recorded as a `sleep` line)."""
        self.recorder.sleep(ms)
        await asyncio.sleep(ms / 1000)

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Outcome:
        """Call a public method of the server on its loop (recorded as a `call` line and its
        `returned`/`raised` outcome); returns the outcome (`.kind`, `.value`)."""
        return await self.call_on(None, method, *args, **kwargs)

    async def call_on(self, instance: int | None, method: str, *args: Any, **kwargs: Any) -> Outcome:
        """`call` on one instance of a cluster (recorded with it; None: the first)."""
        self._instance(instance)
        server = self.live.instance(instance).server
        if server is None:
            raise ScenarioError(f"call {method}: calls need an in-process target")
        problem = server.problem(method) if not method.startswith("_") else f"{method!r} is private"
        if problem is not None:
            raise ScenarioError(f"call {method}: {problem}")
        if jsonable([list(args), kwargs]) != [list(args), kwargs]:
            raise ScenarioError(f"call {method}: the arguments are not JSON")
        self.record_events()
        self.recorder.call(method, list(args), kwargs, instance)
        outcome = await server.call(method, list(args), kwargs, self.config.timeouts.frame)
        if outcome.kind == "hung":
            raise ScenarioError(f"call {method}: no outcome within {outcome.value:g} s")
        self.record_events()
        self.recorder.outcome(outcome)
        return outcome

    def record_events(self) -> None:
        """Record the server's publications not recorded yet (as `event` lines)."""
        published = self.live.server.published() if self.live.server is not None else ()
        for publication in published[self.events_recorded:]:
            self.recorder.event(publication)
        self.events_recorded = len(published)

    async def follow_events(self) -> None:
        """Record publications as they arrive (runs until cancelled)."""
        while True:
            await self.live.arrived.wait()
            self.live.arrived.clear()
            self.record_events()

    async def finish(self) -> None:
        """Close every client still open; record the last publications."""
        await asyncio.gather(*(close_with(c.ws, 1000) for c in self.clients))
        self.record_events()


async def record_scenario(sc: Scenario, target: str, config: HarnessConfig | None = None) -> Transcript:
    """Run one scenario against a fresh target through the recording proxy."""
    config = config or HarnessConfig()
    spec = parse_target(target, config)
    recorder = Recorder(
        new_meta(
            sc.name, target if not spec.in_process else f"{spec.module}:{spec.attr}", sc.tags, sc.settings
        ),
        config.redact,
        config.fixtures,
    )
    async with running(spec, sc.settings, config.timeouts) as live:
        upstream = tuple(i.url for i in live.instances) or live.url
        async with recording_proxy(upstream, recorder, timeout=config.timeouts.connect) as proxy:
            session = ScenarioSession(proxy.url, recorder, config, sc.settings, live)
            follower = asyncio.create_task(session.follow_events())
            try:
                await _run_bounded(sc, session, config.timeouts.recording)
            finally:
                await session.finish()
                follower.cancel()
    return recorder.transcript()


async def _run_bounded(sc: Scenario, session: ScenarioSession, timeout: float) -> None:
    """Run the scenario function; every failure becomes a ScenarioError naming it."""
    try:
        await asyncio.wait_for(sc.fn(session), timeout)
    except asyncio.TimeoutError:
        raise ScenarioError(f"timed out after {timeout:g} s") from None
    except ScenarioError:
        raise
    except Exception as exc:
        raise ScenarioError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc


def _import_file(path: Path) -> None:
    """Import a scenario file (its folder importable, for shared helpers)."""
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.append(folder)
    name = f"wsgm_scenarios_{path.stem}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise ScenarioError(f"{path}:{exc.lineno}: {exc.msg}") from None
    except Exception as exc:
        raise ScenarioError(f"{path}:1: cannot import: {exc!r}") from None


def load_scenarios(paths: list[Path]) -> list[Scenario]:
    """Import scenario files (directories: every `*.py`); returns what they registered."""
    start = len(REGISTRY)
    for path in map(Path, paths):
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for file in files:
            if not file.name.startswith("_"):
                _import_file(file)
    found = REGISTRY[start:]
    names = [s.name for s in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ScenarioError(f"duplicate scenario names: {', '.join(duplicates)}")
    return found
