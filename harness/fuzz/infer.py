"""The message model of a server, inferred from its corpus (pure functions on transcripts).

From the client frames: the discriminating field, the message kinds, per kind its keys, how often
each is present and the values that got a success reply (array elements apart, so that an array
can hold several valid values). From the replies: which request key they echo, the error shape,
and which kinds' replies issue the values (`<issued:...>` references) that later requests use.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from harness.fuzz.correlation import Correlation, error_mark, id_pair
from harness.fuzz.exchanges import Exchange, exchanges
from harness.fuzz.issuers import issuers, rotated
from harness.fuzz.links import links
from harness.fuzz.openings import USUAL, credentials, openings
from harness.fuzz.shapes import canonical, discriminator, distinct, weighted
from harness.issued import ISSUED_RE
from harness.transcript import Transcript

MAX_VALUES = 24  # distinct values kept per field
MAX_TEMPLATES = 12  # successful requests kept per kind
MAX_JUNK = 40
MAX_JUNK_LENGTH = 512
MIN_REQUESTS = 2  # a kind sent once is a probe of the corpus, not part of the model


@dataclass(frozen=True)
class Field:
    """One key of a message kind."""

    name: str
    presence: float
    values: tuple[Any, ...] = ()
    elements: tuple[Any, ...] = ()
    element_counts: tuple[int, ...] = ()
    issued: str | None = None


@dataclass(frozen=True)
class Kind:
    """A message kind: its fields and the requests of it that succeeded (templates)."""

    name: str
    requests: int
    fields: dict[str, Field]
    templates: tuple[dict[str, Any], ...]
    settings: tuple[tuple[dict[str, Any], int], ...] = (({}, 1),)  # where it succeeded, with counts
    openings: tuple[tuple[dict[str, Any], int], ...] = ()  # credential sent before its successes ({}: none)
    links: dict[str, str] = field(default_factory=dict)  # key -> earlier kind whose value it repeats


@dataclass(frozen=True)
class MessageModel:
    """Everything the generator draws from."""

    key: str
    kinds: dict[str, Kind]
    correlation: Correlation = Correlation()
    credentials: tuple[dict[str, Any], ...] = ()
    issuers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rotated: frozenset[str] = frozenset()
    headers: tuple[dict[str, str], ...] = ()
    junk: tuple[str, ...] = ()


def _kind_of(exchange: Exchange, key: str) -> str | None:
    value = (exchange.request or {}).get(key)
    return value if isinstance(value, str) else None


def _issued_field(values: list[Any]) -> str | None:
    """The issued-value name that most of `values` refer to, if most of them are references."""
    names = Counter(m.group(2) for v in values if isinstance(v, str) for m in [ISSUED_RE.fullmatch(v)] if m)
    if not names or sum(names.values()) * 2 < len(values):
        return None
    return names.most_common(1)[0][0]


def _values(objects: list[dict], name: str) -> list[Any]:
    return [obj[name] for obj in objects if name in obj]


def _field(name: str, sent: list[dict], valid: list[dict]) -> Field:
    values, every = _values(valid, name), _values(sent, name)
    items = weighted([item for v in values if isinstance(v, list) for item in v], MAX_VALUES)
    return Field(name, len(every) / len(sent), distinct(values, MAX_VALUES), tuple(e for e, _ in items),
                 tuple(n for _, n in items), _issued_field(values) or _issued_field(every))


def _kind(name: str, sent: list[dict], valid: list[Exchange], skip: set[str]) -> Kind:
    keys = dict.fromkeys(k for obj in sent for k in obj if k not in skip)
    requests = [e.request for e in valid]
    fields = {k: _field(k, sent, requests) for k in keys}
    settings = weighted([e.settings for e in valid], MAX_TEMPLATES)
    return Kind(name, len(sent), fields, distinct(requests, MAX_TEMPLATES), settings)


def _kinds(objects: list[Exchange], key: str, correlation: Correlation) -> dict[str, Kind]:
    """Kinds with at least one success reply (any kind seen twice, without an error shape)."""
    sent: dict[str, list[dict]] = {}
    valid: dict[str, list[Exchange]] = {}
    for exchange in objects:
        name = _kind_of(exchange, key)
        sent.setdefault(name, []).append(exchange.request)
        if correlation.succeeded(exchange.request, exchange.replies):
            valid.setdefault(name, []).append(exchange)
    real = {n for n in valid if len(sent[n]) >= MIN_REQUESTS}
    skip = {key, correlation.request_key}
    return {n: _kind(n, sent[n], valid[n], skip) for n in sorted(real)}


def _unissued(kind: Kind, linked: dict[str, str]) -> dict[str, str]:
    """Links of the kind's usual keys that hold no issued value (those refer to what a reply issued)."""
    usual = {k for k, f in kind.fields.items() if f.presence >= USUAL and not f.issued}
    return {k: source for k, source in linked.items() if k in usual}


def _headers(transcripts: list[Transcript]) -> tuple[dict[str, str], ...]:
    """Connect header sets of the corpus that replay can restore (issued references only)."""
    sets = [e.headers for t in transcripts for e in t.events
            if e.kind == "connect" and e.headers and "<redacted:" not in canonical(e.headers)]
    return distinct(sets, MAX_TEMPLATES)


def _junk(all_sent: list[Exchange], key: str, kinds: dict[str, Kind]) -> tuple[str, ...]:
    texts = [e.text for e in all_sent if _kind_of(e, key) not in kinds and len(e.text) <= MAX_JUNK_LENGTH]
    return tuple(dict.fromkeys(texts))[:MAX_JUNK]


def infer_model(transcripts: list[Transcript]) -> MessageModel | None:
    """The message model of the corpus; None when its client frames hold no JSON objects."""
    sent = [e for t in transcripts for e in exchanges(t)]
    key = discriminator(e.request for e in sent if e.request is not None)
    return None if key is None else _model(transcripts, sent, key)


def _model(transcripts: list[Transcript], sent: list[Exchange], key: str) -> MessageModel:
    objects = [e for e in sent if _kind_of(e, key) is not None]
    junk = [e for e in sent if _kind_of(e, key) is None]
    answered = [e for e in objects if e.replies]
    correlation = Correlation(*id_pair(answered, key), error_mark(junk, objects))
    kinds = _kinds(objects, key, correlation)
    opened, linked = openings(objects, correlation, kinds, key), links(objects, correlation, key)
    kinds = {name: replace(kind, openings=opened.get(name, ()), links=_unissued(kind, linked.get(name, {})))
             for name, kind in kinds.items()}
    return MessageModel(
        key, kinds, correlation, credentials(objects, correlation, kinds, key),
        issuers(transcripts, correlation, key), rotated(transcripts, correlation),
        _headers(transcripts), _junk(sent, key, kinds))
