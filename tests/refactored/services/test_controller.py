"""The simulated controller reproduces the legacy arithmetic bit for bit."""

import json
import random

import pytest

from legacy.websocket_server import SimulatedTradingController as Legacy
from refactored.services.catalogue import BUILTIN, defaults
from refactored.services.controller import SimulatedTradingController
from refactored.services.simulation import Simulation

SYMBOLS = ["BTC_USDT", "ETH_USDT", "SOL_USDT", "BNB_USDT", "XRP_USDT"]


def random_case(rng):
    configs = {name: defaults(name) for name in BUILTIN}
    configs["MovingAverageCross"].update(short_window=rng.randint(2, 6), long_window=rng.randint(7, 30))
    configs["RSIStrategy"].update(period=rng.randint(2, 20), oversold=rng.choice([30.0, 45.0]), overbought=rng.choice([55.0, 70.0]))
    configs["BollingerBands"].update(period=rng.randint(2, 20), num_std=rng.choice([0.5, 1.0, 1.5, 2.2]))
    strategies = rng.sample([*BUILTIN, "Custom"], rng.randint(1, 4))
    return strategies, rng.sample(SYMBOLS, rng.randint(1, 5)), configs, rng.randint(1, 250)


@pytest.mark.parametrize("seed", range(12))
def test_same_events_and_results_as_legacy(seed):
    strategies, symbols, configs, bars = random_case(random.Random(seed))
    ours, theirs = SimulatedTradingController(), Legacy()
    pairs = [(s, y) for s in strategies for y in symbols]
    a, b = ours.new_simulation(pairs, configs, 2.0), theirs.new_simulation(pairs, configs, 2.0)
    for index in range(bars):
        assert json.dumps(ours.step(a, index)) == json.dumps(theirs.step(b, index))
    assert json.dumps(ours.backtest_results(a, 10000.0)) == json.dumps(theirs.backtest_results(b, 10000.0))
    assert json.dumps(ours.collection_results(symbols, strategies, configs, bars)) == \
        json.dumps(theirs.collection_results(symbols, strategies, configs, bars))


def test_simulation_state():
    controller = SimulatedTradingController()
    configs = {name: defaults(name) for name in BUILTIN}
    sim = controller.new_simulation([("RSIStrategy", "BTC_USDT"), ("BollingerBands", "BTC_USDT")], configs, 1.0)
    assert isinstance(sim, Simulation) and sim.symbols == ["BTC_USDT"]
    events = controller.step(sim, 0)
    assert events[0]["kind"] == "market_data" and sim.bars == 1


def test_results_are_deterministic():
    controller = SimulatedTradingController()
    configs = {name: defaults(name) for name in BUILTIN}
    first = controller.collection_results(["BTC_USDT"], list(BUILTIN), configs, 120)
    assert first == controller.collection_results(["BTC_USDT"], list(BUILTIN), configs, 120)
    assert list(first) == ["aggregates", "per_strategy", "symbol_counts", "performance"]
