"""Trading session and collection records."""

from refactored.services.trading import Book, Collection, TradingSession


def session(kind="backtest", username="trader", state="running"):
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
    book.sessions["a"] = session("live", "admin")
    book.sessions["b"] = session("paper", "trader", state="stopped")
    assert book.running_session_of("admin") is book.sessions["a"] and book.running_session_of("trader") is None
    assert book.live_running()
    book.collections["c"] = Collection("c", "c1", "trader", ["BTC_USDT"], ["RSIStrategy"], "1h", 60, {})
    assert list(book.collections["c"].summary()) == ["collection_id", "symbols", "strategies", "duration", "bars_total"]
