"""Background runs: a backtest's bars and a collection's wait, as steps of effects.

Each generator yields one list of effects per bar; the engine keeps it and the
I/O loop waits one ``bar_interval`` before asking for each step, so every step
sees any stop that arrived meanwhile.  :func:`steps_of` picks the generator of a
run record.
"""

from __future__ import annotations

from typing import Any, Iterator

from refactored.core.clock import Clock
from refactored.core.effects import Announce, Publish, Push
from refactored.core.messages import stream_frame
from refactored.services.controller import Controller
from refactored.services.trading import Collection, RunState, TradingSession

Steps = Iterator[list[Any]]


def session_update(clock: Clock, session: TradingSession) -> list[Any]:
    """The ``session_update`` frame (the session's state, and its results once done) for the
    owner and the ``sessions`` subscribers."""
    data = {
        "session_id": session.session_id,
        "session_type": session.session_type,
        "status": session.state.value,
        "bars_total": session.bars_total,
        "bars_processed": session.bars_processed,
    }
    if session.results is not None:
        data["results"] = session.results
    frame = stream_frame("sessions", data, clock.iso(), kind="session_update")
    return [Push(session.owner, frame), Publish("sessions", frame, exclude=session.owner), Announce("session_update", data)]


def _market_data(clock: Clock, session: TradingSession, bar: dict[str, Any]) -> Publish:
    data = {"session_id": session.session_id, **bar}
    return Publish("market_data", stream_frame("market_data", data, clock.iso()))


def _order(session: TradingSession, event: dict[str, Any]) -> dict[str, Any]:
    sid = session.session_id
    return {
        "message_id": session.next_message_id(), "session_id": sid,
        "order_id": f"{sid}:order:{event['order_no']}", "strategy": event["strategy"],
        "symbol": event["symbol"], "side": event["side"], "quantity": session.quantity,
        "price": event["price"], "status": "filled", "bar": session.bars_processed,
    }


def _position(session: TradingSession, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "message_id": session.next_message_id(), "session_id": session.session_id,
        "strategy": event["strategy"], "symbol": event["symbol"], "quantity": event["quantity"],
        "entry_price": event["entry_price"], "bar": session.bars_processed,
    }


CRITICAL = {"order": ("orders", _order), "position": ("positions", _position)}


def _event(clock: Clock, session: TradingSession, event: dict[str, Any]) -> Any:
    if event["kind"] == "market_data":
        return _market_data(clock, session, event["bar"])
    stream, build = CRITICAL[event["kind"]]
    data = build(session, event)
    return Push(session.owner, stream_frame(stream, data, clock.iso()), data["message_id"])


def _completion(controller: Controller, clock: Clock, session: TradingSession, sim: Any) -> list[Any]:
    session.results = controller.backtest_results(sim, session.initial_capital)
    session.move(RunState.COMPLETED)
    return session_update(clock, session)


def _fail(run: TradingSession | Collection) -> None:
    """A run whose controller raised ends ``FAILED`` (one already stopped stays stopped)."""
    if run.state is RunState.RUNNING:
        run.move(RunState.FAILED)


def backtest_steps(controller: Controller, clock: Clock, session: TradingSession) -> Steps:
    """One step per bar: its market data, orders and positions; the results with the last."""
    try:
        pairs = [(name, symbol) for name, symbols in session.strategy_config.items() for symbol in symbols]
        sim = controller.new_simulation(pairs, session.strategy_params, session.quantity)
        for index in range(session.bars):
            if session.state is not RunState.RUNNING:
                return
            effects = [_event(clock, session, event) for event in controller.step(sim, index)]
            session.bars_processed = index + 1
            if index == session.bars - 1 and session.state is RunState.RUNNING:
                effects += _completion(controller, clock, session, sim)
            yield effects
    except Exception:
        _fail(session)
        raise


def _collected(controller: Controller, clock: Clock, collection: Collection) -> list[Any]:
    collection.results = controller.collection_results(
        collection.symbols, collection.strategies, collection.strategy_params, collection.bars_total)
    collection.move(RunState.COMPLETED)
    data = {"collection_id": collection.collection_id, "status": collection.state.value, "bars_total": collection.bars_total}
    return [Push(collection.owner, {"type": "collection_update", "data": data, "timestamp": clock.iso()})]


def collection_steps(controller: Controller, clock: Clock, collection: Collection) -> Steps:
    """One empty step per bar of the duration; the results with the last."""
    try:
        for index in range(collection.bars_total):
            if collection.state is not RunState.RUNNING:
                return
            yield _collected(controller, clock, collection) if index == collection.bars_total - 1 else []
    except Exception:
        _fail(collection)
        raise


STEPS = {TradingSession: backtest_steps, Collection: collection_steps}


def steps_of(controller: Controller, clock: Clock, run: TradingSession | Collection) -> Steps:
    """The steps of background run ``run``: a backtest's bars or a collection's wait."""
    return STEPS[type(run)](controller, clock, run)
