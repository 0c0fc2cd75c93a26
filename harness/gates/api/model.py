"""One difference between the public surfaces of two classes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

# What can differ about one member (a waiver may name one of these to narrow itself).
CHANGES = ("removed", "kind", "signature", "bases", "value", "coroutine", "attribute type", "exceptions",
           "construction")


@dataclass(frozen=True, order=True)
class ApiDifference:
    """``member`` of the legacy class (``name`` or ``name.inner``) is missing or differs on the candidate."""

    member: str
    change: str
    detail: str
    where: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.member, self.change

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        """``member: change (detail)``, the form the gate's reason quotes."""
        return f"{self.member}: {self.change} ({self.detail})"


def unique(differences: list[ApiDifference]) -> list[ApiDifference]:
    """One difference per (member, change), the first found kept, sorted by member."""
    seen: dict[tuple[str, str], ApiDifference] = {}
    for difference in differences:
        seen.setdefault(difference.key, difference)
    return sorted(seen.values())


def merged(differences: list[ApiDifference]) -> list[ApiDifference]:
    """One difference per (member, change), the details of the same key joined with `` / ``."""
    seen: dict[tuple[str, str], ApiDifference] = {}
    for difference in differences:
        first = seen.setdefault(difference.key, difference)
        if first is not difference:
            seen[difference.key] = replace(first, detail=f"{first.detail} / {difference.detail}")
    return list(seen.values())
