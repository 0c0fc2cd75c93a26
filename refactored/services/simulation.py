"""The state of one simulated run, shared by the controller and its reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Pair = tuple[str, str]


def figure(value: float) -> float:
    """A reported money or ratio figure: rounded to four places."""
    return round(value, 4)


@dataclass(slots=True)
class StrategyTally:
    """Orders and closed trades of one strategy in one run, with the profit or loss they
    realised."""

    orders: int = 0
    closed_trades: int = 0
    winning_trades: int = 0
    realized_pnl: float = 0.0


@dataclass(slots=True)
class Simulation:
    """The state of one run: closes seen, open positions, trades done."""

    pairs: list[Pair]
    configs: dict[str, dict[str, Any]]
    quantity: float
    symbols: list[str]
    closes: dict[str, list[float]]
    positions: dict[Pair, float] = field(default_factory=dict)
    orders: int = 0
    trades: list[tuple[str, str, float]] = field(default_factory=list)
    tallies: dict[str, StrategyTally] = field(default_factory=dict)
    bars: int = 0


