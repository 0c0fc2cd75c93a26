"""JSON shapes of frames: objects, value kinds, and the field that names a message's kind."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Iterable

MIN_COVERAGE = 0.5  # the discriminating field is in at least half of the objects
MAX_VALUE_LENGTH = 2048  # longer values (a corpus's size probes) are not drawn again


def canonical(value: Any) -> str:
    """The JSON text of a value with sorted keys (for counting distinct values)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def weighted(values: Iterable[Any], limit: int) -> tuple[tuple[Any, int], ...]:
    """Distinct values with their counts, most common first, at most `limit`."""
    counts = Counter(k for k in map(canonical, values) if len(k) <= MAX_VALUE_LENGTH)
    return tuple((json.loads(k), n) for k, n in counts.most_common(limit))


def distinct(values: Iterable[Any], limit: int) -> tuple[Any, ...]:
    """Distinct values, most common first, at most `limit`."""
    return tuple(value for value, _ in weighted(values, limit))


def json_object(text: str | None) -> dict[str, Any] | None:
    """The frame's JSON object, or None (not JSON, not an object, or binary)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def encode(value: Any) -> str:
    """Compact JSON text; non-ASCII kept unless it cannot be sent as UTF-8 (lone surrogates)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text


def value_kind(value: Any) -> str:
    """The JSON kind of a value: null, boolean, integer, number, string, array, object."""
    for kind, test in _KINDS:
        if test(value):
            return kind
    return "object"


_KINDS = (
    ("null", lambda v: v is None),
    ("boolean", lambda v: isinstance(v, bool)),
    ("integer", lambda v: isinstance(v, int)),
    ("number", lambda v: isinstance(v, float)),
    ("string", lambda v: isinstance(v, str)),
    ("array", lambda v: isinstance(v, list)),
)


def _score(objects: list[dict[str, Any]], key: str) -> float:
    """Coverage of `key` (string values) times how many of its values recur with one key set."""
    values = [obj[key] for obj in objects if isinstance(obj.get(key), str)]
    coverage = len(values) / len(objects)
    if coverage < MIN_COVERAGE:
        return 0.0
    recurring = [value for value, count in Counter(values).items() if count > 1]
    return coverage * len(recurring) * _consistency(objects, key, set(recurring))


def _consistency(objects: list[dict[str, Any]], key: str, values: set[str]) -> float:
    """Share of objects whose key set is the most common one of their kind (1.0: kinds fix keys)."""
    shapes: dict[str, Counter] = {}
    for obj in objects:
        value = obj.get(key)
        if isinstance(value, str) and value in values:
            shapes.setdefault(value, Counter())[frozenset(obj) - {key}] += 1
    total = sum(sum(c.values()) for c in shapes.values())
    return sum(c.most_common(1)[0][1] for c in shapes.values()) / total if total else 0.0


def discriminator(objects: Iterable[dict[str, Any]]) -> str | None:
    """The key whose string values name the objects' kinds (scored, none when nothing fits)."""
    objects = list(objects)
    if not objects:
        return None
    keys = {key for obj in objects for key, value in obj.items() if isinstance(value, str)}
    scored = sorted(((_score(objects, key), key) for key in keys), reverse=True)
    return scored[0][1] if scored and scored[0][0] > 0 else None
