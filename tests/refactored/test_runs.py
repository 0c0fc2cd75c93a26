"""Background run steps, without any I/O."""

import pytest

from refactored.core.effects import Announce, Publish, Push
from refactored.runs import backtest_steps, session_update, steps_of
from refactored.services.trading import Collection, RunState, TradingSession


def session(app, bars=3):
    return TradingSession("s1", "backtest", "c1", "trader", {"RSIStrategy": ["BTC_USDT"]}, ["BTC_USDT"], bars,
                          1000.0, 1.0, app.catalogue.params_for(["RSIStrategy"]))


def test_session_update_goes_to_owner_subscribers_and_bus(driver):
    s = session(driver.engine.app)
    push, publish, announce = session_update(driver.engine.app.clock, s)
    assert isinstance(push, Push) and push.client_id == "c1" and push.message_id is None
    assert isinstance(publish, Publish) and publish.exclude == "c1" and publish.frame is push.frame
    assert isinstance(announce, Announce) and "results" not in announce.data


def test_backtest_one_step_per_bar_results_with_the_last(driver):
    s = session(driver.engine.app)
    steps = list(backtest_steps(driver.engine.app.controller, driver.engine.app.clock, s))
    assert len(steps) == 3 and s.state is RunState.COMPLETED
    assert steps[-1][-1].data["status"] == "completed"


def test_backtest_stops_when_told(driver):
    s = session(driver.engine.app)
    steps = backtest_steps(driver.engine.app.controller, driver.engine.app.clock, s)
    next(steps)
    s.move(RunState.STOPPED)
    assert list(steps) == [] and s.bars_processed == 1


class Broken:
    def new_simulation(self, *args):
        raise RuntimeError


def _run_broken(app, s):
    with pytest.raises(RuntimeError):
        next(backtest_steps(Broken(), app.clock, s))


def test_failures_mark_the_run_failed(driver):
    s = session(driver.engine.app)
    _run_broken(driver.engine.app, s)
    assert s.state is RunState.FAILED


def test_collection_waits_then_reports(driver):
    app = driver.engine.app
    collection = Collection("k1", "c1", "trader", ["BTC_USDT"], ["RSIStrategy"], "3m", 3, app.catalogue.params_for(["RSIStrategy"]))
    steps = list(steps_of(app.controller, app.clock, collection))
    assert steps[:2] == [[], []] and steps[2][0].frame["type"] == "collection_update"
    assert collection.state is RunState.COMPLETED and collection.results["aggregates"]["total_bars"] == 3


def test_a_failure_after_a_stop_leaves_the_run_stopped(driver):
    s = session(driver.engine.app)
    s.move(RunState.STOPPED)
    _run_broken(driver.engine.app, s)
    assert s.state is RunState.STOPPED
