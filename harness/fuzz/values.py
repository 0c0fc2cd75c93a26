"""Field values for generated requests: well-formed ones and malformed ones."""

from __future__ import annotations

from hypothesis import strategies as st

STREAMS = ("market_data", "indicators", "orders", "positions", "account", "sessions")
SYMBOLS = ("BTC_USDT", "ETH_USDT", "SOL_USDT", "BNB_USDT", "XRP_USDT")
STRATEGIES = ("MovingAverageCross", "RSIStrategy", "BollingerBands")
USERS = ("admin", "trader", "viewer")
SESSION_TYPES = ("backtest", "paper", "live")

# Wrong-typed or out-of-domain values, tried for every field.
JUNK = st.sampled_from([None, 0, -1, 1.5, True, "", "x", [], {}, "\u00df\n"])

SYMBOL = st.one_of(st.sampled_from(SYMBOLS), st.sampled_from(SYMBOLS).map(str.lower),
                   st.sampled_from(["DOGE_USDT", "btc-usdt", "btc_usdt\n", "\u00dftc_usdt", 7]))
SYMBOL_LIST = st.one_of(st.lists(SYMBOL, max_size=3), JUNK)
STREAM = st.one_of(st.sampled_from(STREAMS), st.sampled_from(["Orders", "trades"]), JUNK)
STRATEGY = st.one_of(st.sampled_from(STRATEGIES), st.sampled_from(["Nope", "MyStrategy"]), JUNK)
USER = st.one_of(st.sampled_from(USERS), st.sampled_from(["root", "Admin"]), JUNK)
REQUEST_ID = st.one_of(st.integers(0, 99), st.sampled_from(["r1", None, [1]]))

_PARAM = st.one_of(st.integers(-5, 250), st.floats(-5, 150, allow_nan=False), JUNK)
STRATEGY_CONFIG = st.one_of(
    st.dictionaries(st.sampled_from(["short_window", "long_window", "period", "oversold",
                                     "overbought", "num_std", "alpha"]), _PARAM, max_size=3),
    JUNK)
SESSION_STRATEGIES = st.one_of(st.dictionaries(STRATEGY.filter(lambda s: isinstance(s, str)),
                                               SYMBOL_LIST, max_size=2), JUNK)
RUN_CONFIG = st.one_of(
    st.fixed_dictionaries({}, optional={"bars": st.one_of(st.integers(0, 6), JUNK),
                                        "initial_capital": st.one_of(st.sampled_from([1, 1e13]), JUNK),
                                        "quantity": st.one_of(st.sampled_from([0.5, 2]), JUNK)}),
    JUNK)
DURATION = st.one_of(st.sampled_from(["1m", "5m", "1h", "2d", "0m", "1h\n", "60"]), JUNK)
COMMAND = st.one_of(st.sampled_from(["get_stats", "health_check", "HEALTH_CHECK", "reboot"]), JUNK)


def issued(clients: list[str], field: str) -> st.SearchStrategy:
    """A reference to a value the server issued to one of `clients` (or a made-up one)."""
    refs = [f"<issued:{c}:{field}:{n}>" for c in clients for n in (1, 2)]
    forged = [f"{field}_0000000000000000", "unknown"]
    return st.one_of(st.sampled_from(refs or forged), st.sampled_from(forged), JUNK)
