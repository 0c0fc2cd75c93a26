"""Shared field checks."""

import pytest

from refactored.core.errors import InvalidParameter
from refactored.handlers import checks


def test_symbol():
    assert checks.symbol("btc_usdt") == "BTC_USDT"
    for bad, text in [(5, "Invalid symbol format"), ("x" * 33, "Invalid symbol format"), ("BTCUSDT", "Invalid symbol format"),
                      ("ÄBC_USDT", "Invalid symbol format"), ("DOGE_USDT", "Symbol not allowed: DOGE_USDT")]:
        with pytest.raises(InvalidParameter, match=text):
            checks.symbol(bad)


def test_symbols_dedupe_and_emptiness():
    assert checks.symbols(["eth_usdt", "ETH_USDT"]) == ["ETH_USDT"]
    assert checks.symbols_or_none([]) == []
    with pytest.raises(InvalidParameter, match="Invalid parameter: symbols"):
        checks.symbols([])


def test_stream_and_plain_checks():
    assert checks.stream("orders") == "orders"
    with pytest.raises(InvalidParameter, match="Unknown stream"):
        checks.stream("Orders")
    assert checks.strict_dict({}) == {} and checks.nonempty_str("a") == "a" and checks.string("") == ""
    for check, bad in [(checks.strict_dict, []), (checks.nonempty_str, ""), (checks.string, 1)]:
        with pytest.raises(InvalidParameter):
            check(bad)


def test_number():
    assert checks.number(1, 0, 1) and not checks.number(0, 0, 1) and not checks.number(True, 0, 2)
