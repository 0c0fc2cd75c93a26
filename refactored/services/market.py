"""The simulated market: prices are a pure function of symbol and bar index."""

from __future__ import annotations

from typing import Any

BASE_PRICES = {
    "BTC_USDT": 30000.0,
    "ETH_USDT": 2000.0,
    "SOL_USDT": 100.0,
    "BNB_USDT": 300.0,
    "XRP_USDT": 0.5,
}
DEFAULT_BASE_PRICE = 100.0


def _seed(symbol: str) -> int:
    return sum(ord(ch) for ch in symbol)


def close_price(symbol: str, index: int) -> float:
    """Close of bar ``index``: a triangle wave of period 20 on a three-step trend."""
    position = index + _seed(symbol)
    phase = position % 20
    tri = phase if phase <= 10 else 20 - phase
    trend = (position // 20) % 3
    return round(BASE_PRICES.get(symbol, DEFAULT_BASE_PRICE) * (95 + tri + trend) / 100, 6)


def price_bar(symbol: str, index: int) -> dict[str, Any]:
    """One OHLCV bar; its open is the previous bar's close."""
    close = close_price(symbol, index)
    open_ = close_price(symbol, index - 1)
    return {
        "symbol": symbol,
        "bar": index,
        "open": open_,
        "high": round(max(open_, close) * 1.001, 6),
        "low": round(min(open_, close) * 0.999, 6),
        "close": close,
        "volume": float(100 + (7 * index + _seed(symbol)) % 50),
    }
