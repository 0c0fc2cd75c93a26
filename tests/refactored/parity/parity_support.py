"""Drive the legacy and the refactored server with the same script; mask run-to-run noise."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

NOISE_KEYS = {
    "timestamp", "server_time", "client_id", "reconnect_token", "access_token", "refresh_token",
    "session_id", "collection_id", "message_id", "uptime_seconds", "uptime", "started_at",
    "created_at", "updated_at", "expires_at", "last_activity", "connected_at", "elapsed", "port",
    "order_id",
}
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT")
_HEXISH = re.compile(r"[0-9a-f]{16,}")


class Masker:
    """Replace noisy values by numbered placeholders that keep identity."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def token(self, value: Any) -> str:
        key = json.dumps(value, sort_keys=True)
        if key not in self.seen:
            self.seen[key] = f"<noise:{len(self.seen) + 1}>"
        return self.seen[key]

    def mask(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self.mask(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask(v, key) for v in value]
        if key in ("uptime_seconds", "port"):
            return "<varies>"
        if key in NOISE_KEYS and value is not None:
            return self.token(value)
        if isinstance(value, str):
            if _ISO.match(value):
                return "<iso>"
            return _HEXISH.sub(lambda m: self.token(m.group(0)), value)
        return value


async def run_script(server_cls: type, script: list[tuple], settings: dict | None = None) -> dict[str, list]:
    """Run ``script`` against a fresh server; return frames received per client (masked).

    Steps: ("connect", name, headers) | ("send", name, obj_or_text) | ("recv", name, count)
    | ("close", name) | ("sleep", seconds) | ("quiet", name, seconds).  Headers may use
    "{token:<client>}" to refer to the reconnect token a client got in its welcome.
    """
    clients: dict[str, Any] = {}
    frames: dict[str, list] = {}
    welcome: dict[str, dict] = {}
    server = server_cls(settings=settings or {}, host="127.0.0.1", port=0)
    await server.start()
    try:
        for step in script:
            await _step(server, step, clients, frames, welcome)
    finally:
        for ws in clients.values():
            await ws.close()
        await server.stop()
    masker = Masker()
    return {name: [masker.mask(f) for f in got] for name, got in frames.items()}


async def _step(server, step, clients, frames, welcome) -> None:
    kind, *args = step
    if kind == "connect":
        name, headers = args[0], (args[1] if len(args) > 1 else {})
        headers = {k: _resolve(v, welcome) for k, v in headers.items()}
        ws = await connect(f"ws://127.0.0.1:{server.port}", proxy=None, ping_interval=None,
                           additional_headers=headers, open_timeout=5)
        clients[name] = ws
        frames[name] = []
        first = await _recv(ws, 1)
        frames[name].extend(first)
        if first and isinstance(first[0], dict):
            welcome[name] = first[0]
    elif kind == "send":
        name, payload = args
        data = payload if isinstance(payload, (str, bytes)) else json.dumps(_resolve_obj(payload, welcome))
        await clients[name].send(data)
    elif kind == "recv":
        name, count = args
        frames[name].extend(await _recv(clients[name], count))
    elif kind == "quiet":
        name, seconds = args
        frames[name].extend(await _drain(clients[name], seconds))
    elif kind == "close":
        await clients[args[0]].close()
        await asyncio.sleep(0.05)
    elif kind == "sleep":
        await asyncio.sleep(args[0])
    elif kind == "stats":
        frames.setdefault("__stats__", []).append(_stable_stats(server.get_stats()))


def _stable_stats(stats: dict) -> dict:
    return {k: v for k, v in stats.items() if "uptime" not in k}


def _resolve(value: Any, welcome: dict) -> Any:
    if isinstance(value, str) and value.startswith("{token:"):
        return welcome[value[7:-1]]["reconnect_token"]
    return value


def _resolve_obj(obj: Any, welcome: dict) -> Any:
    if isinstance(obj, dict):
        return {k: _resolve_obj(v, welcome) for k, v in obj.items()}
    return _resolve(obj, welcome)


async def _recv(ws, count: int) -> list:
    out = []
    for _ in range(count):
        try:
            raw = await asyncio.wait_for(ws.recv(), 5)
        except (ConnectionClosed, asyncio.TimeoutError) as exc:
            out.append({"__closed__": getattr(ws, "close_code", None), "why": type(exc).__name__})
            break
        out.append(json.loads(raw) if isinstance(raw, str) else raw)
    return out


async def _drain(ws, seconds: float) -> list:
    out = []
    while True:
        try:
            raw = await asyncio.wait_for(ws.recv(), seconds)
        except asyncio.TimeoutError:
            return out
        except ConnectionClosed:
            out.append({"__closed__": ws.close_code})
            return out
        out.append(json.loads(raw) if isinstance(raw, str) else raw)


def differences(want: Any, got: Any, path: str = "$") -> list[str]:
    """JSON paths where ``got`` differs from ``want``."""
    if isinstance(want, dict) and isinstance(got, dict):
        if list(want) != list(got):
            return [f"{path}: keys {list(want)} != {list(got)}"]
        return [d for k in want for d in differences(want[k], got[k], f"{path}.{k}")]
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [d for i, (a, b) in enumerate(zip(want, got)) for d in differences(a, b, f"{path}[{i}]")]
    return [] if want == got and type(want) is type(got) else [f"{path}: {want!r} != {got!r}"]
