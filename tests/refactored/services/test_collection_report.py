"""Collection summaries from a finished simulation."""

from refactored.services.collection_report import summarise
from refactored.services.simulation import Simulation, StrategyTally


def test_empty_run():
    sim = Simulation([], {}, 1.0, ["BTC_USDT"], {"BTC_USDT": []})
    report = summarise(sim, ["BTC_USDT"], ["RSIStrategy"], [], 0)
    assert report["symbol_counts"]["BTC_USDT"]["first_close"] is None
    assert report["performance"] == {"realized_pnl": 0.0, "win_rate": 0.0, "max_drawdown": 0.0, "profit_factor": None}
    assert report["per_strategy"]["RSIStrategy"]["signals"] == 0


def test_performance_figures():
    sim = Simulation([], {}, 1.0, ["BTC_USDT"], {"BTC_USDT": [1.0, 3.0, 2.0]})
    sim.trades = [("S", "BTC_USDT", 5.0), ("S", "BTC_USDT", -2.0), ("S", "BTC_USDT", 1.0)]
    sim.tallies["S"] = StrategyTally(orders=6, closed_trades=3, winning_trades=2, realized_pnl=4.0)
    orders = [{"strategy": "S", "symbol": "BTC_USDT", "side": side} for side in ("buy", "sell") * 3]
    report = summarise(sim, ["BTC_USDT"], ["S"], orders, 3)
    assert report["aggregates"] == {"total_bars": 3, "total_signals": 6, "buy_signals": 3, "sell_signals": 3, "closed_trades": 3}
    assert report["performance"] == {"realized_pnl": 4.0, "win_rate": 0.6667, "max_drawdown": 2.0, "profit_factor": 3.0}
    assert report["symbol_counts"]["BTC_USDT"] == {"bars": 3, "signals": 6, "first_close": 1.0, "last_close": 2.0,
                                                   "min_close": 1.0, "max_close": 3.0}


def test_figures_are_rounded_to_four_places():
    from refactored.services.simulation import figure
    assert figure(1.23456789) == 1.2346 and figure(-0.00004) == -0.0
