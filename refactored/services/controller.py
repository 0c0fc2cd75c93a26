"""The simulated trading controller: deterministic backtests and collections.

Strategies trade long only, one ``quantity`` per position.  The public
methods (``new_simulation``, ``step``, ``backtest_results``,
``collection_results``) are the controller interface the server calls; a
controller passed to the server's constructor provides the same four.
"""

from __future__ import annotations

from typing import Any, Protocol

from refactored.services.market import price_bar
from refactored.services.collection_report import summarise
from refactored.services.signals import signal
from refactored.services.simulation import Pair, Simulation, StrategyTally, figure


class Controller(Protocol):
    """What the server asks of a trading controller (the built-in one, or one passed to the server)."""

    def new_simulation(self, pairs: list[Pair], configs: dict[str, dict[str, Any]], quantity: float) -> Any: ...

    def step(self, sim: Any, index: int) -> list[dict[str, Any]]: ...

    def backtest_results(self, sim: Any, initial_capital: float) -> dict[str, Any]: ...

    def collection_results(self, symbols: list[str], strategies: list[str],
                           configs: dict[str, dict[str, Any]], bars: int) -> dict[str, Any]: ...


class SimulatedTradingController:
    """Deterministic simulated market and strategy engine."""

    def new_simulation(self, pairs: list[Pair], configs: dict[str, dict[str, Any]], quantity: float) -> Simulation:
        """A fresh run over ``pairs`` of (strategy, symbol), evaluated in that order."""
        symbols = list(dict.fromkeys(symbol for _, symbol in pairs))
        return Simulation(list(pairs), configs, quantity, symbols, {s: [] for s in symbols})

    def step(self, sim: Simulation, index: int) -> list[dict[str, Any]]:
        """Advance one bar: market data for every symbol, then each pair's trades."""
        events: list[dict[str, Any]] = []
        for symbol in sim.symbols:
            bar = price_bar(symbol, index)
            sim.closes[symbol].append(bar["close"])
            events.append({"kind": "market_data", "bar": bar})
        for strategy, symbol in sim.pairs:
            events.extend(self._trade(sim, strategy, symbol))
        sim.bars = index + 1
        return events

    def _trade(self, sim: Simulation, strategy: str, symbol: str) -> list[dict[str, Any]]:
        closes = sim.closes[symbol]
        side = signal(strategy, sim.configs.get(strategy, {}), closes)
        tally = sim.tallies.setdefault(strategy, StrategyTally())
        key, price = (strategy, symbol), closes[-1]
        if side == "buy" and key not in sim.positions:
            sim.positions[key] = price
            return self._order(sim, tally, strategy, symbol, "buy", price, sim.quantity, price)
        if side == "sell" and key in sim.positions:
            pnl = (price - sim.positions.pop(key)) * sim.quantity
            tally.closed_trades += 1
            tally.winning_trades += pnl > 0
            tally.realized_pnl += pnl
            sim.trades.append((strategy, symbol, pnl))
            return self._order(sim, tally, strategy, symbol, "sell", price, 0.0, None)
        return []

    @staticmethod
    def _order(sim: Simulation, tally: StrategyTally, strategy: str, symbol: str, side: str,
               price: float, quantity: float, entry: float | None) -> list[dict[str, Any]]:
        sim.orders += 1
        tally.orders += 1
        return [
            {"kind": "order", "strategy": strategy, "symbol": symbol, "side": side, "price": price, "order_no": sim.orders},
            {"kind": "position", "strategy": strategy, "symbol": symbol, "quantity": quantity, "entry_price": entry},
        ]

    def backtest_results(self, sim: Simulation, initial_capital: float) -> dict[str, Any]:
        """Totals of a finished backtest."""
        pnls = [pnl for _, _, pnl in sim.trades]
        total = 0.0
        for pnl in pnls:
            total += pnl
        per_strategy = {}
        for strategy in dict.fromkeys(strategy for strategy, _ in sim.pairs):
            tally = sim.tallies.get(strategy, StrategyTally())
            per_strategy[strategy] = {
                "orders": tally.orders,
                "closed_trades": tally.closed_trades,
                "realized_pnl": figure(tally.realized_pnl),
            }
        return {
            "bars_processed": sim.bars,
            "orders": sim.orders,
            "closed_trades": len(sim.trades),
            "winning_trades": sum(1 for pnl in pnls if pnl > 0),
            "losing_trades": sum(1 for pnl in pnls if pnl < 0),
            "open_positions": len(sim.positions),
            "realized_pnl": figure(total),
            "final_equity": figure(initial_capital + total),
            "per_strategy": per_strategy,
        }

    def collection_results(self, symbols: list[str], strategies: list[str],
                           configs: dict[str, dict[str, Any]], bars: int) -> dict[str, Any]:
        """Run every strategy on every symbol for ``bars`` bars and summarise."""
        sim = self.new_simulation([(st, sy) for st in strategies for sy in symbols], configs, 1.0)
        orders = [event for i in range(bars) for event in self.step(sim, i) if event["kind"] == "order"]
        return summarise(sim, symbols, strategies, orders, bars)
