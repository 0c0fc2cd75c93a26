"""Stopping a started server's whole process group: SIGTERM, then SIGKILL after a bound."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

import psutil


def group_alive(pgid: int) -> bool:
    """True while any process of the group still runs (zombies do not count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    for process in psutil.process_iter(["pid"]):
        with contextlib.suppress(psutil.Error, OSError):
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                return True
    return False


def _signal(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


async def stop_group(pgid: int, grace: float) -> None:
    """SIGTERM to the group; SIGKILL to whatever is left after `grace` seconds."""
    _signal(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not await asyncio.to_thread(group_alive, pgid):
            return
        await asyncio.sleep(0.02)
    _signal(pgid, signal.SIGKILL)


def listens(pid: int, port: int) -> bool:
    """True when `pid` or one of its descendants listens on `port`."""
    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.Error:
        return False
    for process in family:
        with contextlib.suppress(psutil.Error):
            for conn in process.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                    return True
    return False
