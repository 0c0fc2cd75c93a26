"""Simulated prices: pure, deterministic, shaped like the legacy ones."""

from refactored.services.market import close_price, price_bar


def test_close_price_is_deterministic_and_bounded():
    closes = [close_price("BTC_USDT", i) for i in range(200)]
    assert closes == [close_price("BTC_USDT", i) for i in range(200)]
    assert min(closes) >= 30000.0 * 0.95 and max(closes) <= 30000.0 * 1.07


def test_unknown_symbol_uses_default_base():
    assert 95.0 <= close_price("ZZZ_USDT", 0) <= 107.0


def test_bar_fields():
    bar = price_bar("ETH_USDT", 5)
    assert list(bar) == ["symbol", "bar", "open", "high", "low", "close", "volume"]
    assert bar["open"] == close_price("ETH_USDT", 4) and bar["close"] == close_price("ETH_USDT", 5)
    assert bar["low"] <= min(bar["open"], bar["close"]) <= max(bar["open"], bar["close"]) <= bar["high"]
    assert isinstance(bar["volume"], float) and 100 <= bar["volume"] < 150
