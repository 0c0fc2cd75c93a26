"""Which reply answers a request, and whether it is an error, learned from the corpus.

The request key is a request field whose value a reply echoes under the reply key (a request id).
The error mark is a (key, value) pair that (almost) every reply to a junk frame holds and most
other replies do not: the corpus's own error shape.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from harness.fuzz.exchanges import Exchange

MIN_ECHO_SHARE = 0.25  # the id pair must be seen in a quarter of the answered requests
MIN_ERROR_SHARE = 0.8  # the error mark is in 80 % of the replies to junk frames...
MAX_ERROR_ELSEWHERE = 0.5  # ...and in fewer than half of all replies


@dataclass(frozen=True)
class Correlation:
    """How replies are matched to requests and told apart as errors."""

    request_key: str | None = None
    reply_key: str | None = None
    error: tuple[str, str] | None = None

    def reply_to(self, request: dict[str, Any] | None, replies: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The reply echoing the request's id; for a request without one (or without an id pair),
        the first reply if it echoes no id."""
        if self.request_key is None or self.reply_key is None:
            return replies[0] if replies else None
        if request is None or self.request_key not in request:
            return replies[0] if replies and self.reply_key not in replies[0] else None
        wanted = request[self.request_key]
        return next((r for r in replies if _same(r.get(self.reply_key), wanted)), None)

    def is_error(self, reply: dict[str, Any]) -> bool:
        return self.error is not None and reply.get(self.error[0]) == self.error[1]

    def succeeded(self, request: dict[str, Any] | None, replies: list[dict[str, Any]]) -> bool:
        """A correlated reply that does not carry the error mark."""
        reply = self.reply_to(request, replies)
        return reply is not None and not self.is_error(reply)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _scalar(value: Any) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _echo_pairs(exchange: Exchange, key: str | None) -> set[tuple[str, str]]:
    """(request key, reply key) pairs whose values are equal, for one exchange."""
    request = exchange.request or {}
    pairs = set()
    for reply in exchange.replies:
        for reply_key, value in reply.items():
            pairs |= {(request_key, reply_key) for request_key, sent in request.items()
                      if request_key != key and _scalar(sent) and _same(value, sent)}
    return pairs


def _uniqueness(answered: list[Exchange], request_key: str) -> float:
    """The share of requests holding `request_key` whose value their client sends only once: an id
    names one request, while an echoed argument (a room, a stream) recurs."""
    values = [(e.recording, e.client, repr(e.request[request_key]))
              for e in answered if e.request and request_key in e.request]
    uses = Counter(values)
    return sum(uses[value] == 1 for value in values) / len(values) if values else 0.0


def id_pair(answered: list[Exchange], key: str | None) -> tuple[str | None, str | None]:
    """The request/reply key pair that echoes a request id, if the corpus shows one: of the pairs
    echoed often enough, the one whose request values are most unique per client."""
    counts: Counter = Counter()
    for exchange in answered:
        counts.update(_echo_pairs(exchange, key))
    frequent = [(pair, seen) for pair, seen in counts.most_common() if seen >= MIN_ECHO_SHARE * len(answered)]
    if not frequent:
        return None, None
    pair, _ = max(frequent, key=lambda item: (_uniqueness(answered, item[0][0]), item[1]))
    return pair


def _pairs(reply: dict[str, Any]) -> set[tuple[str, str]]:
    return {(k, v) for k, v in reply.items() if isinstance(v, str)}


def _rare(pair: tuple[str, str], replies: list[dict[str, Any]]) -> bool:
    return sum(pair in _pairs(r) for r in replies) < MAX_ERROR_ELSEWHERE * len(replies)


def _common(first: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs held by at least MIN_ERROR_SHARE of `first`, most common first."""
    counts = Counter(pair for reply in first for pair in _pairs(reply))
    return [pair for pair, seen in counts.most_common() if seen >= MIN_ERROR_SHARE * len(first)]


def error_mark(junk: list[Exchange], others: list[Exchange]) -> tuple[str, str] | None:
    """The (key, value) pair of the replies to junk frames that other replies rarely hold."""
    first = [e.replies[0] for e in junk if e.replies]
    replies = [r for e in others for r in e.replies]
    if not replies:
        return None
    return next((pair for pair in _common(first) if _rare(pair, replies)), None)
