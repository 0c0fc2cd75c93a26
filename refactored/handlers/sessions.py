"""Trading sessions: start, stop and status of backtest, paper and live sessions."""

from __future__ import annotations

import secrets
from typing import Any

from refactored.core.dispatch import HandlerSpec, Request
from refactored.core.effects import Spawn
from refactored.core.errors import (
    InsufficientPermissions, InvalidParameter, ServiceUnavailable, SessionConflict, SessionNotFound,
    ValidationError,
)
from refactored.core.messages import response
from refactored.core.schema import Param, invalid, rejected
from refactored.handlers.checks import number, symbols
from refactored.handlers.runs import backtest_steps, session_update
from refactored.services.trading import RunState, TradingSession
from refactored.wire import SESSION_TYPES


def _session_type(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in SESSION_TYPES:
        raise rejected()
    return value.lower()


def _plan(value: Any, catalogue: Any) -> dict[str, list[str]]:
    """``strategy_config`` checked: every strategy known, every symbol list valid."""
    if not isinstance(value, dict) or not value:
        raise invalid("strategy_config")
    errors, plan = [], {}
    for name, names in value.items():
        if not catalogue.known(name):
            errors.append(f"Unknown strategy: {name}")
            continue
        try:
            plan[name] = symbols(names)
        except InvalidParameter as exc:
            errors.append(f"{name}: {exc.message or 'Invalid parameter: symbols'}")
    if errors:
        raise ValidationError("; ".join(errors))
    return plan


# (field, default, accepted range low < value <= high, integer only)
RUN_FIELDS = (("bars", 50, (0, 1000), True), ("initial_capital", 10000.0, (0, 1e12), False),
              ("quantity", 1.0, (0, 1e6), False))


def _run_config(message: dict[str, Any]) -> dict[str, Any]:
    config = message.get("config")
    config = {} if config is None else config
    if not isinstance(config, dict):
        raise invalid("config")
    out = {}
    for name, default, (low, high), integer in RUN_FIELDS:
        value = config.get(name, default)
        if not number(value, low, high) or (integer and type(value) is not int):
            raise invalid(f"config.{name}")
        out[name] = value if integer else float(value)
    return out


def _started(session: TradingSession, already_running: bool) -> dict[str, Any]:
    return response("session_started", session_id=session.session_id, session_type=session.session_type,
                    strategies=session.strategies, symbols=list(session.symbols),
                    bars_total=session.bars_total, already_running=already_running)


def _new_session(req: Request, kind: str, plan: dict[str, list[str]], run: dict[str, Any]) -> TradingSession:
    app, conn = req.app, req.conn
    session = TradingSession(
        session_id="session_" + secrets.token_hex(8), session_type=kind, owner=conn.client_id,
        username=conn.user.username, strategy_config=plan,
        symbols=list(dict.fromkeys(s for names in plan.values() for s in names)),
        bars=run["bars"], initial_capital=run["initial_capital"], quantity=run["quantity"],
        strategy_params=app.catalogue.params_for(list(plan)))
    app.book.sessions[session.session_id] = session
    return session


def _idempotent(message: dict[str, Any]) -> bool:
    value = message.get("idempotent", False)
    if type(value) is not bool:
        raise invalid("idempotent")
    return value


def _running_session(req: Request, kind: str, idempotent: bool) -> TradingSession | None:
    """The user's running session if ``idempotent`` allows reusing it; raise on a conflict."""
    book = req.app.book
    existing = book.running_session_of(req.conn.user.username)
    if existing is not None and not idempotent:
        raise SessionConflict("User already has an active session")
    if existing is None and kind == "live" and book.live_running():
        raise SessionConflict("Another live session is already active")
    return existing


def session_start(req: Request) -> dict[str, Any]:
    app, kind = req.app, req.params["session_type"]
    permission = "execute_live_trading" if kind == "live" else "trade"
    if not req.conn.user.can(permission):
        raise InsufficientPermissions(f"Permission required: {permission}")
    plan, run = _plan(req.message["strategy_config"], app.catalogue), _run_config(req.message)
    idempotent = _idempotent(req.message)
    if app.runtime.stopping:
        raise ServiceUnavailable("Trading controller not available")
    existing = _running_session(req, kind, idempotent)
    if existing is not None:
        return _started(existing, True)
    session = _new_session(req, kind, plan, run)
    req.effects.extend(session_update(app, session))
    if kind == "backtest":
        req.effects.append(Spawn(session.session_id, backtest_steps(app, session), app.config.bar_interval))
    return _started(session, False)


def _session_id(value: Any) -> str:
    if not isinstance(value, str):
        raise rejected()
    return value


def find_session(req: Request) -> TradingSession | None:
    """The session named by ``session_id`` (visible to its user and admins), else the user's running one."""
    conn, book, sid = req.conn, req.app.book, req.params["session_id"]
    if sid is None:
        return book.running_session_of(conn.user.username)
    session = book.sessions.get(sid)
    if session is None or not conn.user.sees(session.username):
        raise SessionNotFound("Session not found")
    return session


def session_stop(req: Request) -> dict[str, Any]:
    session = find_session(req)
    if session is None:
        raise SessionNotFound("No active session")
    if session.state is not RunState.RUNNING:
        raise SessionNotFound("Session is not running", session_id=session.session_id)
    session.move(RunState.STOPPED)
    req.effects.extend(session_update(req.app, session))
    return response("session_stopped", session_id=session.session_id, session_type=session.session_type)


def session_status(req: Request) -> dict[str, Any]:
    session = find_session(req)
    return response("session_status", session=session.view() if session is not None else None)


SESSION_ID = (Param("session_id", _session_id),)

SPECS = (
    HandlerSpec("session_start", session_start, auth=True, required=("session_type", "strategy_config"),
                params=(Param("session_type", _session_type),)),
    HandlerSpec("session_stop", session_stop, auth=True, permission="trade", params=SESSION_ID),
    HandlerSpec("session_status", session_status, auth=True, params=SESSION_ID),
)
