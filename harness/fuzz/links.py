"""Values a request repeats from an earlier request of its client (what it acts on).

A key of a kind is linked to an earlier kind when most of its successful requests repeat a value
that a successful request of that other kind sent first, under the same key, from the same client
(stopping what was started, leaving what was joined). The generator then reuses that earlier value, or sends a
request of the earlier kind first.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from harness.fuzz.correlation import Correlation
from harness.fuzz.exchanges import Exchange
from harness.fuzz.shapes import canonical

MIN_LINKED = 0.5  # share of a key's successful values that repeat an earlier request's


def _origin(history: list[tuple[str, dict[str, Any]]], key: str, value: Any) -> str | None:
    """The kind of the first earlier request that sent `value` under `key`."""
    text = canonical(value)
    return next((kind for kind, sent in history if key in sent and canonical(sent[key]) == text), None)


def _tally(objects: list[Exchange], correlation: Correlation, key: str, skip: set[str | None]):
    """Per (kind, key): how many successes carried it, and which earlier kinds they repeated."""
    history: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    carried: Counter = Counter()
    repeated: dict[tuple[str, str], Counter] = {}
    for exchange in objects:
        if not correlation.succeeded(exchange.request, exchange.replies):
            continue
        kind, seen = exchange.request[key], history.setdefault((exchange.recording, exchange.client), [])
        for name, value in exchange.request.items():
            if name in skip:
                continue
            carried[(kind, name)] += 1
            earlier = _origin(seen, name, value)
            if earlier is not None and earlier != kind:
                repeated.setdefault((kind, name), Counter())[earlier] += 1
        seen.append((kind, exchange.request))
    return carried, repeated


def links(objects: list[Exchange], correlation: Correlation, key: str) -> dict[str, dict[str, str]]:
    """Per kind, its keys that repeat an earlier kind's value, with that kind."""
    carried, repeated = _tally(objects, correlation, key, {key, correlation.request_key})
    out: dict[str, dict[str, str]] = {}
    for (kind, name), earlier in sorted(repeated.items()):
        source, count = earlier.most_common(1)[0]
        if count >= MIN_LINKED * carried[(kind, name)]:
            out.setdefault(kind, {})[name] = source
    return out
