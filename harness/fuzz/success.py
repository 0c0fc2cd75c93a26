"""How many generated requests got a success reply, per message kind (from the legacy's replies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.fuzz.correlation import Correlation
from harness.fuzz.generate import JUNK, WELL_FORMED, Session
from harness.normalise import NormalObservation


@dataclass
class KindShare:
    """Requests of one kind: generated, well formed, and how many of each got a success reply."""

    requests: int = 0
    succeeded: int = 0
    well_formed: int = 0
    well_formed_succeeded: int = 0

    def add(self, well_formed: bool, succeeded: bool) -> None:
        self.requests += 1
        self.succeeded += succeeded
        self.well_formed += well_formed
        self.well_formed_succeeded += well_formed and succeeded

    def to_dict(self) -> dict[str, Any]:
        share = round(100 * self.succeeded / self.requests, 1) if self.requests else None
        return {"requests": self.requests, "succeeded": self.succeeded, "success_percent": share,
                "well_formed": self.well_formed, "well_formed_succeeded": self.well_formed_succeeded}


def _replies(observed: NormalObservation, client: str) -> list[dict[str, Any]]:
    found = observed.clients.get(client)
    frames = found.frames if found is not None else ()
    return [f.value for f in frames if f.is_json and isinstance(f.value, dict)]


@dataclass
class SuccessTally:
    """Success replies per kind, over every session compared (the legacy's first run)."""

    correlation: Correlation
    kinds: dict[str, KindShare] = field(default_factory=dict)

    def add(self, session: Session, observed: NormalObservation | None) -> None:
        if observed is None or self.correlation.request_key is None:
            return
        key = self.correlation.request_key
        for request in session.requests:
            if request.form == JUNK or request.request_id is None:
                continue
            succeeded = self.correlation.succeeded({key: request.request_id}, _replies(observed, request.client))
            self.kinds.setdefault(request.kind, KindShare()).add(request.form == WELL_FORMED, succeeded)

    @property
    def total(self) -> KindShare:
        out = KindShare()
        for share in self.kinds.values():
            out.requests += share.requests
            out.succeeded += share.succeeded
            out.well_formed += share.well_formed
            out.well_formed_succeeded += share.well_formed_succeeded
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"all": self.total.to_dict(),
                "kinds": {name: share.to_dict() for name, share in sorted(self.kinds.items())}}
