"""The figures behind ``get_stats()`` and ``health_check()``."""

from __future__ import annotations

from typing import Any

from refactored.app import App
from refactored.core.health import is_healthy
from refactored.lifecycle.ports import SharedFigures
from refactored.services.trading import RunState
from refactored.wire import SERVER_VERSION, STREAMS


def _uptime(app: App) -> float:
    runtime = app.runtime
    return round(app.clock.wall() - runtime.started_at, 3) if runtime.running else 0.0


def _connections(app: App, shared: SharedFigures) -> dict[str, Any]:
    by_state = app.registry.by_state()
    by_state["disconnected"] = shared.persisted
    counters = app.counters
    return {
        "total": len(app.registry),
        "active": by_state["connected"] + by_state["reconnecting"],
        "healthy": sum(1 for conn in app.registry if is_healthy(conn)),
        "max_connections": app.config.max_connections,
        "accepted": counters.accepted,
        "rejected": counters.rejected,
        "reconnections": counters.reconnections,
        "by_state": by_state,
    }


def _sessions(app: App, shared: SharedFigures) -> dict[str, Any]:
    book = app.book
    return {
        "persisted": shared.persisted,
        "queued_messages": shared.queued_messages,
        "trading_sessions": len(book.trading_sessions),
        "active_trading_sessions": sum(1 for s in book.trading_sessions.values() if s.state is RunState.RUNNING),
        "collections": len(book.collections),
    }


def stats_report(app: App) -> dict[str, Any]:
    """Connections by state, messages, sessions and subscriptions of this instance; in a
    cluster, a ``cluster`` entry adds the totals of every instance (see docs/SCALING.md)."""
    shared = app.view.figures()
    report = instance_report(app, shared)
    if shared.cluster is not None:
        report["cluster"] = shared.cluster
    return report


def instance_report(app: App, shared: SharedFigures) -> dict[str, Any]:
    """The legacy ``get_stats()`` keys: this instance's figures (saved sessions are shared)."""
    runtime, counters = app.runtime, app.counters
    subscriptions = dict.fromkeys(STREAMS, 0)
    for conn in app.registry:
        for stream in conn.subscriptions:
            subscriptions[stream] += 1
    return {
        "server": {"host": runtime.host, "port": runtime.port, "running": runtime.running,
                   "version": SERVER_VERSION, "uptime_seconds": _uptime(app)},
        "connections": _connections(app, shared),
        "messages": {"received": counters.received, "processed": counters.processed, "sent": counters.sent,
                     "errors": counters.errors, "rate_limited": counters.rate_limited},
        "sessions": _sessions(app, shared),
        "subscriptions": subscriptions,
    }


def health_report(app: App) -> dict[str, Any]:
    """Overall status with the checks behind it."""
    active = len(app.registry)
    runtime = app.runtime
    checks = {
        "server": runtime.running,
        "controller": True,  # a server always has its controller (the built-in one by default)
        "strategies_dir": app.store.directory.is_dir(),
        "capacity": active < app.config.max_connections,
    }
    status = "stopped" if not checks["server"] else "healthy" if all(checks.values()) else "degraded"
    return {
        "status": status,
        "running": runtime.running,
        "uptime_seconds": _uptime(app),
        "active_connections": active,
        "max_connections": app.config.max_connections,
        "checks": checks,
        "timestamp": app.clock.iso(),
    }
