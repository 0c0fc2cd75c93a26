"""Trading sessions: start, stop and status of backtest, paper and live sessions."""

from __future__ import annotations

import secrets
from typing import Any

from refactored.config import Config
from refactored.core.clock import Clock
from refactored.core.dispatch import HandlerSpec, PermissionBy, Reply, Request
from refactored.core.effects import Spawn
from refactored.core.errors import InvalidParameter, SessionConflict, SessionNotFound, ValidationError
from refactored.core.messages import response
from refactored.core.schema import Param, invalid, rejected
from refactored.handlers.checks import TRADING_AVAILABLE, boolean, number, symbols
from refactored.runs import session_update
from refactored.services.catalogue import StrategyCatalogue
from refactored.services.trading import Book, RunState, TradingSession
from refactored.wire import SESSION_TYPES


def _session_type(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in SESSION_TYPES:
        raise rejected()
    return value.lower()


def _plan(value: Any, catalogue: StrategyCatalogue) -> dict[str, list[str]]:
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


def _run_config(config: Any) -> dict[str, Any]:
    """``config`` checked: each run field a number in its range, defaults filled in."""
    if not isinstance(config, dict):
        raise invalid("config")
    out = {}
    for name, default, (low, high), integer in RUN_FIELDS:
        value = config.get(name, default)
        if not number(value, low, high) or (integer and type(value) is not int):
            raise invalid(f"config.{name}")
        out[name] = value if integer else float(value)
    return out


def _started(session: TradingSession, already_running: bool) -> Reply:
    return response("session_started", session_id=session.session_id, session_type=session.session_type,
                    strategies=session.strategies, symbols=list(session.symbols),
                    bars_total=session.bars_total, already_running=already_running)


def _running_session(book: Book, username: str, kind: str, idempotent: bool) -> TradingSession | None:
    """The user's running session if ``idempotent`` allows reusing it; raise on a conflict."""
    existing = book.running_session_of(username)
    if existing is not None and not idempotent:
        raise SessionConflict("User already has an active session")
    if existing is None and kind == "live" and book.live_running():
        raise SessionConflict("Another live session is already active")
    return existing


def session_start(req: Request, book: Book, catalogue: StrategyCatalogue, clock: Clock, config: Config) -> Reply:
    conn, kind, plan, run = req.conn, req.params["session_type"], req.params["strategy_config"], req.params["config"]
    existing = _running_session(book, conn.user.username, kind, req.params["idempotent"])
    if existing is not None:
        return _started(existing, True)
    session = TradingSession(
        session_id="session_" + secrets.token_hex(8), session_type=kind, owner=conn.client_id,
        username=conn.user.username, strategy_config=plan,
        symbols=list(dict.fromkeys(s for names in plan.values() for s in names)),
        bars=run["bars"], initial_capital=run["initial_capital"], quantity=run["quantity"],
        strategy_params=catalogue.params_for(list(plan)))
    book.trading_sessions[session.session_id] = session
    req.effects.extend(session_update(clock, session))
    if kind == "backtest":
        req.effects.append(Spawn(session.session_id, session, config.bar_interval))
    return _started(session, False)


def _session_id(value: Any) -> str:
    if not isinstance(value, str):
        raise rejected()
    return value


def find_session(req: Request, book: Book) -> TradingSession | None:
    """The session named by ``session_id`` (visible to its user and admins), else the user's running one."""
    conn, sid = req.conn, req.params["session_id"]
    if sid is None:
        return book.running_session_of(conn.user.username)
    session = book.trading_sessions.get(sid)
    if session is None or not conn.user.sees(session.username):
        raise SessionNotFound("Session not found")
    return session


def session_stop(req: Request, book: Book, clock: Clock) -> Reply:
    session = find_session(req, book)
    if session is None:
        raise SessionNotFound("No active session")
    if session.state is not RunState.RUNNING:
        raise SessionNotFound("Session is not running", session_id=session.session_id)
    session.move(RunState.STOPPED)
    req.effects.extend(session_update(clock, session))
    return response("session_stopped", session_id=session.session_id, session_type=session.session_type)


def session_status(req: Request, book: Book) -> Reply:
    session = find_session(req, book)
    return response("session_status", session=session.view() if session is not None else None)


LIVE_OR_TRADE = PermissionBy("session_type", {"live": "execute_live_trading"}, default="trade")
SESSION_ID = (Param("session_id", _session_id),)

SPECS = (
    HandlerSpec("session_start", session_start, auth=True, permission=LIVE_OR_TRADE,
                required=("session_type", "strategy_config"),
                params=(Param("session_type", _session_type), Param("strategy_config", _plan, uses="catalogue"),
                        Param("config", _run_config, default={}),
                        Param("idempotent", boolean, default=False, null_is_absent=False)),
                guards=(TRADING_AVAILABLE,), uses=("book", "catalogue", "clock", "config")),
    HandlerSpec("session_stop", session_stop, auth=True, permission="trade", params=SESSION_ID,
                uses=("book", "clock")),
    HandlerSpec("session_status", session_status, auth=True, params=SESSION_ID, uses=("book",)),
)
