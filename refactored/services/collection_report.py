"""The results of a data collection: aggregates, per strategy, per symbol, performance."""

from __future__ import annotations

from typing import Any

from refactored.services.simulation import Simulation, StrategyTally, figure


def _per_strategy(sim: Simulation, strategies: list[str], counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    out = {}
    for strategy in strategies:
        tally = sim.tallies.get(strategy, StrategyTally())
        buys, sells = counts[strategy]["buy"], counts[strategy]["sell"]
        out[strategy] = {
            "signals": buys + sells,
            "buy_signals": buys,
            "sell_signals": sells,
            "closed_trades": tally.closed_trades,
            "winning_trades": tally.winning_trades,
            "realized_pnl": figure(tally.realized_pnl),
        }
    return out


def _symbol_counts(sim: Simulation, symbols: list[str], signals: dict[str, int]) -> dict[str, Any]:
    out = {}
    for symbol in symbols:
        closes = sim.closes[symbol]
        out[symbol] = {
            "bars": len(closes),
            "signals": signals[symbol],
            "first_close": closes[0] if closes else None,
            "last_close": closes[-1] if closes else None,
            "min_close": min(closes) if closes else None,
            "max_close": max(closes) if closes else None,
        }
    return out


def _performance(pnls: list[float]) -> dict[str, Any]:
    cumulative = peak = max_drawdown = gross_profit = gross_loss = 0.0
    winning = 0
    for pnl in pnls:
        cumulative += pnl
        peak = max(peak, cumulative)
        max_drawdown = max(max_drawdown, peak - cumulative)
        if pnl > 0:
            gross_profit += pnl
            winning += 1
        elif pnl < 0:
            gross_loss += -pnl
    closed = len(pnls)
    return {
        "realized_pnl": figure(cumulative),
        "win_rate": figure(winning / closed) if closed else 0.0,
        "max_drawdown": figure(max_drawdown),
        "profit_factor": figure(gross_profit / gross_loss) if gross_loss > 0 else None,
    }


def summarise(sim: Simulation, symbols: list[str], strategies: list[str],
              orders: list[dict[str, Any]], bars: int) -> dict[str, Any]:
    """The collection results document, from a finished simulation and its orders."""
    counts = {strategy: {"buy": 0, "sell": 0} for strategy in strategies}
    signals = {symbol: 0 for symbol in symbols}
    for order in orders:
        counts[order["strategy"]][order["side"]] += 1
        signals[order["symbol"]] += 1
    buys = sum(c["buy"] for c in counts.values())
    sells = sum(c["sell"] for c in counts.values())
    return {
        "aggregates": {
            "total_bars": bars * len(symbols),
            "total_signals": buys + sells,
            "buy_signals": buys,
            "sell_signals": sells,
            "closed_trades": len(sim.trades),
        },
        "per_strategy": _per_strategy(sim, strategies, counts),
        "symbol_counts": _symbol_counts(sim, symbols, signals),
        "performance": _performance([pnl for _, _, pnl in sim.trades]),
    }
