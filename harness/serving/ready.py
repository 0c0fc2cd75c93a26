"""Free ports and readiness: a started server is ready when it answers a WebSocket handshake."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Callable

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, InvalidHeader, InvalidStatus

from harness.closecodes import close_with


def free_port(host: str) -> int:
    """A port nobody listens on now (bound to 0, then released)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_taken(host: str, port: int) -> bool:
    """True when something already holds `port` (binding it fails)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
        return False


async def answers(url: str, timeout: float) -> bool:
    """One probe: True when the URL answers a WebSocket handshake (an HTTP refusal counts: the
    server listens and speaks HTTP); the connection is closed at once with 1000."""
    try:
        ws = await connect(url, proxy=None, ping_interval=None, open_timeout=timeout, close_timeout=timeout)
    except (InvalidStatus, InvalidHeader):
        return True
    except (OSError, asyncio.TimeoutError, InvalidHandshake):  # refused, reset, no HTTP answer
        return False
    await close_with(ws, 1000)
    return True


async def wait_ready(url: str, timeout: float, problem: Callable[[], str | None]) -> str | None:
    """Probe `url` until it answers (None) or `timeout` passes; `problem()` names a reason to stop
    early (the process died). Returns the reason it is not ready."""
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        reason = problem()
        if reason is not None:
            return reason
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return f"not ready after {timeout:g} s (no WebSocket handshake at {url})"
        if await answers(url, min(remaining, 1.0)):
            return problem()
        await asyncio.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, 0.1)
