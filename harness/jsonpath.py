"""JSON paths (`$.a.b[3].c`): formatting, generalising list indices, walking leaves."""

from __future__ import annotations

import functools
import re
from typing import Any, Iterator

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INDEX = re.compile(r"\[\d+\]")
ROOT = "$"


@functools.lru_cache(maxsize=1 << 16)  # the same paths recur in every frame of a kind
def child(path: str, key: str | int) -> str:
    """The path of `key` (object key or list index) under `path`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENT.match(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{escaped}"]'


@functools.lru_cache(maxsize=1 << 16)
def generalise(path: str) -> str:
    """Every list index becomes `[*]`: `$.orders[3].id` -> `$.orders[*].id`."""
    return _INDEX.sub("[*]", path)


def leaves(value: Any, path: str = ROOT) -> Iterator[tuple[str, Any]]:
    """(path, value) for every scalar and every empty container, in document order."""
    pending = [(path, value)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict) and value:
            pending.extend((child(path, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list) and value:
            pending.extend((child(path, index), value[index]) for index in range(len(value) - 1, -1, -1))
        else:
            yield path, value


def covers(rule: str, path: str) -> bool:
    """True when `rule` names `path` or one of its ancestors (indices or `[*]`)."""
    for candidate in (path, generalise(path)):
        rule_g = generalise(rule) if "[*]" in candidate else rule
        if candidate == rule_g or candidate.startswith((rule_g + ".", rule_g + "[")):
            return True
    return False


_LAST = re.compile(r'(?:\.([A-Za-z_][A-Za-z0-9_]*)|\["((?:[^"\\]|\\.)*)"\])$')


def last_key(path: str) -> str | None:
    """The object key a path ends with (None for the root or a list index)."""
    match = _LAST.search(path)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2).replace('\\"', '"')
