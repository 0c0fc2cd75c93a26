"""Strategy signals: each strategy maps its config and the closes so far to buy, sell or nothing."""

from __future__ import annotations

import math
from typing import Any, Callable

Signal = str | None
Config = dict[str, Any]


def _cross(prev_fast: float, prev_slow: float, fast: float, slow: float) -> Signal:
    if prev_fast <= prev_slow and fast > slow:
        return "buy"
    if prev_fast >= prev_slow and fast < slow:
        return "sell"
    return None


def moving_average_cross(config: Config, closes: list[float]) -> Signal:
    """Buy when the short average crosses above the long one, sell on the cross below."""
    s, l = config["short_window"], config["long_window"]
    if len(closes) < l + 1:
        return None
    short_now = sum(closes[-s:]) / s
    long_now = sum(closes[-l:]) / l
    short_prev = sum(closes[-s - 1:-1]) / s
    long_prev = sum(closes[-l - 1:-1]) / l
    return _cross(short_prev, long_prev, short_now, long_now)


def _band(value: float, low: float, high: float) -> Signal:
    if value < low:
        return "buy"
    if value > high:
        return "sell"
    return None


def rsi_strategy(config: Config, closes: list[float]) -> Signal:
    """Buy below ``oversold`` RSI, sell above ``overbought``."""
    n, p = len(closes), config["period"]
    if n < p + 1:
        return None
    changes = [closes[k] - closes[k - 1] for k in range(n - p, n)]
    gains = sum(c for c in changes if c > 0)
    losses = sum(-c for c in changes if c < 0)
    rsi = 100.0 if losses == 0 else 100.0 - 100.0 / (1.0 + gains / losses)
    return _band(rsi, config["oversold"], config["overbought"])


def bollinger_bands(config: Config, closes: list[float]) -> Signal:
    """Buy below the lower band, sell above the upper band."""
    p = config["period"]
    if len(closes) < p:
        return None
    window = closes[-p:]
    mean = sum(window) / p
    std = math.sqrt(sum((x - mean) ** 2 for x in window) / p)
    width = config["num_std"] * std
    return _band(closes[-1], mean - width, mean + width)


SIGNALS: dict[str, Callable[[Config, list[float]], Signal]] = {
    "MovingAverageCross": moving_average_cross,
    "RSIStrategy": rsi_strategy,
    "BollingerBands": bollinger_bands,
}


def signal(strategy: str, config: Config, closes: list[float]) -> Signal:
    """The signal of ``strategy`` (custom strategies never trade)."""
    rule = SIGNALS.get(strategy)
    return None if rule is None else rule(config, closes)
