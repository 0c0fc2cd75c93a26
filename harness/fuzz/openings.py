"""Openings: the requests holding a redacted secret that authorise a client, and per message kind
which of them its client had sent before each success reply (so that generated requests of that
kind are sent by a client with the rights they need)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.fuzz.correlation import Correlation
from harness.fuzz.exchanges import Exchange
from harness.fuzz.shapes import canonical, distinct, weighted
from harness.redact import PASSWORD

if TYPE_CHECKING:
    from harness.fuzz.infer import Kind

MAX_OPENINGS = 12
USUAL = 0.5  # a key present in half of a kind's requests is one of its usual keys


def usual(request: dict[str, Any], kind: "Kind", key: str) -> dict[str, Any]:
    """The request with its kind's usual keys only (no request id, no rare extras)."""
    return {k: v for k, v in request.items()
            if k == key or (k in kind.fields and kind.fields[k].presence >= USUAL)}


def _credential(exchange: Exchange, correlation: Correlation, kinds: dict[str, "Kind"],
                key: str) -> dict[str, Any] | None:
    """The exchange's request as an opening, if it holds a secret and succeeded."""
    name = exchange.request.get(key)
    if PASSWORD not in exchange.text or name not in kinds:
        return None
    opening = usual(exchange.request, kinds[name], key)
    ok = PASSWORD in canonical(opening) and correlation.succeeded(exchange.request, exchange.replies)
    return opening if ok else None


def credentials(objects: list[Exchange], correlation: Correlation, kinds: dict[str, "Kind"],
                key: str) -> tuple[dict[str, Any], ...]:
    """Every distinct opening of the corpus, most common first."""
    found = [_credential(e, correlation, kinds, key) for e in objects]
    return distinct([c for c in found if c is not None], MAX_OPENINGS)


def openings(objects: list[Exchange], correlation: Correlation, kinds: dict[str, "Kind"],
             key: str) -> dict[str, tuple[tuple[dict[str, Any], int], ...]]:
    """Per kind, the opening its client had sent before each of its success replies ({}: none),
    with counts, most common first (`objects` in corpus order)."""
    last: dict[tuple[str, str], dict[str, Any]] = {}
    found: dict[str, list[dict[str, Any]]] = {}
    for exchange in objects:
        opening = _credential(exchange, correlation, kinds, key)
        name = exchange.request.get(key)
        if opening is not None:
            last[(exchange.recording, exchange.client)] = opening
        elif name in kinds and correlation.succeeded(exchange.request, exchange.replies):
            found.setdefault(name, []).append(last.get((exchange.recording, exchange.client), {}))
    return {name: weighted(values, MAX_OPENINGS) for name, values in found.items()}
