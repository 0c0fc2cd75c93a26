"""JSON as the legacy's JavaScript runtime reads and writes it.

`JSON.parse` rejects NaN and Infinity and reads every number as a double; `JSON.stringify`
writes integral doubles without a fraction, keeps non-ASCII text as it is, and escapes lone
surrogates. String lengths are counted in UTF-16 code units, as JavaScript's `length` does.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class NotJson(ValueError):
    """The text is not JSON as JavaScript's `JSON.parse` reads it."""


def _reject_constant(name: str) -> Any:
    raise NotJson(f"{name} is not JSON")


def parse(text: str) -> Any:
    """`JSON.parse(text)`; raises NotJson."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise NotJson(str(exc)) from None


def _js_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def _js_values(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _js_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_js_values(item) for item in value]
    return _js_number(value)


def dumps(value: Any) -> str:
    """`JSON.stringify(value)` for the values this server sends."""
    text = json.dumps(_js_values(value), ensure_ascii=False, separators=(",", ":"))
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe_integer(value: Any) -> int | None:
    """`Number.isSafeInteger(value)`: the integer, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value) if abs(value) <= MAX_SAFE_INTEGER else None


def js_length(text: str) -> int:
    """`text.length`: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
