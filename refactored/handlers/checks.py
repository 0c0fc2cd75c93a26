"""Field checks and guards shared by handlers: each returns the normalised value or raises."""

from __future__ import annotations

import re
from typing import Any

from refactored.app import Runtime
from refactored.core.dispatch import Guard
from refactored.core.errors import InvalidParameter, ServiceUnavailable
from refactored.core.schema import invalid, of_type
from refactored.wire import ALLOWED_SYMBOLS, STREAMS

SYMBOL_PATTERN = re.compile(r"^[A-Z0-9]+_[A-Z0-9]+$")
MAX_SYMBOL_LENGTH = 32


def stream(value: Any) -> str:
    """A known stream name."""
    if not isinstance(value, str) or value not in STREAMS:
        raise InvalidParameter("Unknown stream")
    return value


def symbol(value: Any) -> str:
    """An allowed symbol, upper-cased."""
    if not isinstance(value, str) or len(value) > MAX_SYMBOL_LENGTH:
        raise InvalidParameter("Invalid symbol format")
    upper = value.upper()
    if not SYMBOL_PATTERN.match(upper) or not upper.isascii():
        raise InvalidParameter("Invalid symbol format")
    if upper not in ALLOWED_SYMBOLS:
        raise InvalidParameter(f"Symbol not allowed: {upper}")
    return upper


def _symbols(value: Any, allow_empty: bool) -> list[str]:
    if not isinstance(value, list) or (not value and not allow_empty):
        raise invalid("symbols")
    return list(dict.fromkeys(symbol(item) for item in value))


def symbols(value: Any) -> list[str]:
    """A non-empty list of allowed symbols, upper-cased, without repeats."""
    return _symbols(value, allow_empty=False)


def symbols_or_none(value: Any) -> list[str]:
    """Like :func:`symbols`, but an empty list is allowed."""
    return _symbols(value, allow_empty=True)


strict_dict = of_type(dict)
string = of_type(str)
nonempty_str = of_type(str, nonempty=True)
boolean = of_type(bool)


def number(value: Any, low: float, high: float) -> bool:
    """Whether ``value`` is a JSON number (not a bool) with ``low < value <= high``."""
    return type(value) in (int, float) and low < value <= high


def _trading_available(runtime: Runtime) -> None:
    if runtime.stopping:
        raise ServiceUnavailable("Trading controller not available")


TRADING_AVAILABLE = Guard("runtime", _trading_available)
