"""Strategy signals."""

from refactored.services.signals import SIGNALS, bollinger_bands, moving_average_cross, rsi_strategy, signal


def test_table_lists_the_builtin_strategies():
    assert list(SIGNALS) == ["MovingAverageCross", "RSIStrategy", "BollingerBands"]


def test_not_enough_data():
    assert moving_average_cross({"short_window": 2, "long_window": 3}, [1.0] * 3) is None
    assert rsi_strategy({"period": 3, "oversold": 30, "overbought": 70}, [1.0] * 3) is None
    assert bollinger_bands({"period": 3, "num_std": 1.0}, [1.0] * 2) is None


def test_cross_up_and_down():
    config = {"short_window": 2, "long_window": 3}
    assert moving_average_cross(config, [5.0, 5.0, 5.0, 9.0]) == "buy"
    assert moving_average_cross(config, [5.0, 5.0, 5.0, 1.0]) == "sell"
    assert moving_average_cross(config, [5.0, 5.0, 5.0, 5.0]) is None


def test_rsi_bands():
    config = {"period": 3, "oversold": 30.0, "overbought": 70.0}
    assert rsi_strategy(config, [4.0, 3.0, 2.0, 1.0]) == "buy"
    assert rsi_strategy(config, [1.0, 2.0, 3.0, 4.0]) == "sell"
    assert rsi_strategy(config, [1.0, 2.0, 1.0, 2.0]) is None


def test_bollinger_bands():
    config = {"period": 4, "num_std": 1.0}
    assert bollinger_bands(config, [10.0, 10.0, 10.0, 1.0]) == "buy"
    assert bollinger_bands(config, [10.0, 10.0, 10.0, 20.0]) == "sell"
    assert bollinger_bands(config, [10.0] * 4) is None


def test_custom_strategies_never_trade():
    assert signal("Custom", {}, [1.0] * 100) is None
