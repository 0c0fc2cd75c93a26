"""Server-issued values in a corpus: which kinds' replies issue them, and which are replaced on use.

A value is issued to a client when a success reply first holds it under a key that requests later
refer to (`<issued:CLIENT:KEY:N>`). A reply before the client sent anything is the greeting
(kind ""). A value is rotated when a success reply to a request using it issues a new one under
the same key (a one-time value): the generator uses each such value once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from harness.fuzz.correlation import Correlation
from harness.fuzz.exchanges import exchanges
from harness.fuzz.shapes import json_object
from harness.issued import ISSUED_RE, aliasable, walk_strings
from harness.transcript import Event, Transcript

GREETING = ""


def _action_texts(event: Event) -> list[str]:
    """What a client action sends: a frame's text or the handshake's header values."""
    if event.kind == "send":
        return [event.text or ""]
    return list((event.headers or {}).values()) if event.kind == "connect" else []


def issued_names(transcripts: list[Transcript]) -> frozenset[str]:
    """Keys of the issued values the client actions refer to (frames and headers)."""
    texts = [text for t in transcripts for e in t.events for text in _action_texts(e)]
    return frozenset(m.group(2) for text in texts for m in ISSUED_RE.finditer(text))


@dataclass
class _Scan:
    """One recording: the kind each client sent last, and the issued values seen so far."""

    names: frozenset[str]
    correlation: Correlation
    key: str
    counts: dict[str, Counter]
    last: dict[str, str | None] = field(default_factory=dict)
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def event(self, event: Event) -> None:
        if event.kind == "send":
            sent = json_object(event.text) or {}
            kind = sent.get(self.key)
            self.last[event.client] = kind if isinstance(kind, str) else None
        elif event.kind == "recv":
            self.received(event.client, json_object(event.text))

    def received(self, client: str, reply: dict | None) -> None:
        if reply is None or self.correlation.is_error(reply):
            return
        kind = self.last.get(client, GREETING)
        for name, value in walk_strings(reply):
            new = (client, name, value) not in self.seen
            if name in self.names and aliasable(value) and new and kind is not None:
                self.seen.add((client, name, value))
                self.counts.setdefault(name, Counter())[kind] += 1


def issuers(transcripts: list[Transcript], correlation: Correlation, key: str) -> dict[str, tuple[str, ...]]:
    """Per issued key, the kinds whose success replies issue it, most frequent first."""
    counts: dict[str, Counter] = {}
    names = issued_names(transcripts)
    for transcript in transcripts:
        scan = _Scan(names, correlation, key, counts)
        for event in transcript.events:
            scan.event(event)
    return {name: tuple(kind for kind, _ in c.most_common()) for name, c in sorted(counts.items())}


def _rotated(refs: list[tuple[str, str]], reply: dict) -> set[str]:
    """Keys of the referenced values that the reply replaces by another reference."""
    return {name for ref, name in refs
            if isinstance(reply.get(name), str) and ISSUED_RE.fullmatch(reply[name]) and reply[name] != ref}


def rotated(transcripts: list[Transcript], correlation: Correlation) -> frozenset[str]:
    """Keys of issued values that a successful use replaces (used once by the generator)."""
    found: set[str] = set()
    for exchange in (e for t in transcripts for e in exchanges(t)):
        refs = [(m.group(0), m.group(2)) for m in ISSUED_RE.finditer(exchange.text)]
        reply = correlation.reply_to(exchange.request, exchange.replies) if refs else None
        if reply is not None and not correlation.is_error(reply):
            found |= _rotated(refs, reply)
    return frozenset(found)
