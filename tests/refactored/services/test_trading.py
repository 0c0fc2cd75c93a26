"""Trading session and collection records, and the run state table checked pair by pair."""

import itertools

import pytest

from refactored.core.errors import InvalidTransition
from refactored.services.trading import RUN_TRANSITIONS, Book, Collection, RunState, TradingSession

R = RunState
ALLOWED = {(R.RUNNING, R.STOPPED), (R.RUNNING, R.COMPLETED), (R.RUNNING, R.FAILED)}


def session(kind="backtest", username="trader", state=RunState.RUNNING):
    return TradingSession("s1", kind, "c1", username, {"RSIStrategy": ["BTC_USDT"]}, ["BTC_USDT"], 10, 1000.0, 1.0, {}, state=state)


def test_message_ids_count_up():
    s = session()
    assert [s.next_message_id(), s.next_message_id()] == ["s1:1", "s1:2"]


def test_bars_total_only_for_backtests():
    assert session().bars_total == 10 and session("paper").bars_total is None


def test_view():
    assert list(session().view()) == ["session_id", "session_type", "state", "username", "strategies", "symbols",
                                      "bars_total", "bars_processed", "results"]


def test_book_queries():
    book = Book()
    book.trading_sessions["a"] = session("live", "admin")
    book.trading_sessions["b"] = session("paper", "trader", state=RunState.STOPPED)
    assert book.running_session_of("admin") is book.trading_sessions["a"] and book.running_session_of("trader") is None
    assert book.live_running()
    book.collections["c"] = Collection("c", "c1", "trader", ["BTC_USDT"], ["RSIStrategy"], "1h", 60, {})
    assert list(book.collections["c"].summary()) == ["collection_id", "symbols", "strategies", "duration", "bars_total"]


@pytest.mark.parametrize("source,target", list(itertools.product(R, R)), ids=lambda s: s.value)
def test_every_pair_of_run_states(source, target):
    for run in (session(state=source), Collection("c", "c1", "trader", [], [], "1h", 60, {}, state=source)):
        if (source, target) in ALLOWED:
            run.move(target)
            assert run.state is target
        else:
            with pytest.raises(InvalidTransition) as info:
                run.move(target)
            assert (info.value.source, info.value.target, run.state) == (source, target, source)


def test_run_table_covers_every_state_and_ends_are_final():
    assert set(RUN_TRANSITIONS) == set(R)
    assert all(RUN_TRANSITIONS[end] == frozenset() for end in (R.STOPPED, R.COMPLETED, R.FAILED))


def test_run_state_wire_names():
    assert [s.value for s in R] == ["running", "stopped", "completed", "failed"]
    assert session(state=R.COMPLETED).view()["state"] == "completed"
