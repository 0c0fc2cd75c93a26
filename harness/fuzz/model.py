"""The session model: client actions in order, with settle pauses, turned into a `wsgm/1` transcript."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from harness.transcript import Event, Meta, Transcript, binary_event

MAX_OPEN = 3
SESSION_NAME = "fuzz_session"
ISSUED_MARK = "<issued:"


@dataclass
class SessionModel:
    """Client actions of one generated session.

    A pause of `settle_ms` goes before every action except a send that follows an action of
    the same client, so replies and cross-client effects land before the next client acts
    (the transcript has no `recv` lines to synchronise on).
    """

    settings: dict[str, Any] = field(default_factory=dict)
    settle_ms: float = 20.0
    events: list[Event] = field(default_factory=list)
    open: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    last_client: str = ""
    clock: float = 0.0

    @property
    def can_connect(self) -> bool:
        return len(self.open) < MAX_OPEN

    def _add(self, kind: str, client: str, **fields: Any) -> None:
        self._append(Event(kind=kind, client=client, **fields))

    def _append(self, event: Event) -> None:
        if self._needs_settle(event):
            self.pause(self.settle_ms)
        self.clock += 0.001
        self.events.append(replace(event, t=self.clock))
        self.last_client = event.client

    def _needs_settle(self, event: Event) -> bool:
        """Not for a send following its own client, unless it refers to an issued value."""
        follows = event.kind == "send" and event.client == self.last_client
        return not follows or ISSUED_MARK in (event.text or "")

    def pause(self, ms: float) -> None:
        """A `sleep` line (skipped before the first action)."""
        if self.events and ms > 0:
            self.clock += ms / 1000
            self.events.append(Event(kind="sleep", t=self.clock, ms=ms))

    def connect(self, headers: dict[str, str] | None = None) -> str:
        """Open a connection under a fresh client name; returns the name. Generated clients offer
        no compression (cheaper to replay; the corpus covers permessage-deflate)."""
        name = f"c{len(self.seen) + 1}"
        self._add("connect", name, headers=headers or {}, compression="none")
        self.open.append(name)
        self.seen.append(name)
        return name

    def send(self, client: str, text: str) -> None:
        """A text frame."""
        self._add("send", client, text=text)

    def send_binary(self, client: str, data: bytes) -> None:
        self._append(binary_event("send", client, 0.0, data))

    def close(self, client: str, code: int = 1000) -> None:
        self._add("close", client, code=code, reason="")
        self.open.remove(client)

    def transcript(self, name: str = SESSION_NAME, tags: tuple[str, ...] = ()) -> Transcript:
        """The session as a transcript (client actions only)."""
        meta = Meta(name=name, recorded_against="harness fuzz", tags=("fuzz", *tags),
                    settings=dict(self.settings))
        events = tuple(replace(e, line=i + 2) for i, e in enumerate(self.events))
        return Transcript(meta=meta, events=events)
