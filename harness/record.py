"""The recorder core (no I/O): what a proxy sees becomes redacted transcript events."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from harness.config import Fixtures, Redaction
from harness.redact import Redactor
from harness.serverside import CALLS, Outcome, Publication
from harness.transcript import Event, Meta, Transcript, binary_event


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Recorder:
    """Collects one recording; every frame passes through the redactor."""

    meta: Meta
    redaction: Redaction = Redaction()
    fixtures: Fixtures = Fixtures()
    clock: Callable[[], float] = time.monotonic
    events: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.redactor = Redactor(self.redaction, self.fixtures, self.meta.settings)
        self.started = self.clock()

    def _t(self) -> float:
        return round(self.clock() - self.started, 3)

    def connect(self, client: str, headers: dict[str, str], path: str = "/", deflate: bool = True,
                instance: int | None = None) -> None:
        """A client connects; `deflate`: whether it offers permessage-deflate (recorded only when
        not); `instance`: the cluster instance it asked for (recorded only when it asked)."""
        self.events.append(
            Event(
                "connect",
                client,
                self._t(),
                path=None if path == "/" else path,
                headers=self.redactor.headers(client, headers),
                compression=None if deflate else "none",
                instance=instance,
            )
        )

    def send(self, client: str, data: str | bytes) -> None:
        self._frame("send", client, data, self.redactor.send_text)

    def recv(self, client: str, data: str | bytes) -> None:
        self._frame("recv", client, data, self.redactor.recv_text)

    def _frame(self, kind: str, client: str, data: str | bytes, redact) -> None:
        if isinstance(data, bytes):
            self.events.append(binary_event(kind, client, self._t(), data))
        else:
            self.events.append(Event(kind, client, self._t(), text=redact(client, data)))

    def close(self, client: str, code: int | None, reason: str = "") -> None:
        self.events.append(Event("close", client, self._t(), code=code, reason=reason or None))

    def closed(self, client: str, code: int | None, reason: str = "") -> None:
        self.events.append(Event("closed", client, self._t(), code=code, reason=reason or ""))

    def sleep(self, ms: float) -> None:
        self.events.append(Event("sleep", "", self._t(), ms=ms))

    def call(self, method: str, args: list[Any], kwargs: dict[str, Any], instance: int | None = None) -> None:
        """A call of the server's method, written when it starts (what it causes comes after it);
        `instance`: the cluster instance it was made on, when named. Issued values in the
        arguments are aliased, as in a sent frame."""
        args, kwargs = json.loads(self.redactor.send_text(CALLS, json.dumps([list(args), dict(kwargs)])))
        self.events.append(Event("call", "", self._t(), method=method, args=args, kwargs=kwargs, instance=instance))

    def outcome(self, outcome: Outcome) -> None:
        """What the call returned (its JSON form) or the type of exception it raised."""
        field = {"returned": "value", "raised": "error"}[outcome.kind]
        self.events.append(Event(outcome.kind, "", self._t(), method=outcome.method, **{field: outcome.value}))

    def event(self, publication: Publication) -> None:
        """A publication on the server's event bus."""
        self.events.append(Event("event", "", self._t(), topic=publication.topic, data=publication.data))

    def transcript(self, path: str = "<memory>") -> Transcript:
        return Transcript(self.meta, tuple(self.events), path)


def new_meta(
    name: str, against: str, tags: tuple[str, ...] = (), settings: dict[str, Any] | None = None
) -> Meta:
    """The meta line of a recording made now."""
    return Meta(
        name=name,
        recorded_at=utc_now(),
        recorded_against=against,
        tags=tuple(tags),
        settings=dict(settings or {}),
    )
