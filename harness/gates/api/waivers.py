"""Api waivers: `[[waiver]]` entries of `kind = "api"`, reviewed like the wire waivers.

    [[waiver]]
    kind = "api"
    member = "locked_accounts"      # the legacy member, as the gate names it
    change = "removed"              # optional: only this change (see model.CHANGES)
    reason = "why a consumer can do without it"
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.gates.api.model import CHANGES, ApiDifference
from harness.tomltables import check_fields
from harness.waivers import split_by_waivers, waiver_entries

_FIELDS = {"member": str, "change": str, "reason": str}
_REQUIRED = ("member", "reason")


@dataclass(frozen=True)
class ApiWaiver:
    """An intended difference of the Python surface: a member (one change of it, or any), a reason."""

    member: str
    reason: str
    change: str | None = None
    source: str = ""

    def matches(self, difference: ApiDifference) -> bool:
        return self.member == difference.member and self.change in (None, difference.change)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_api_waivers(path: Path) -> list[ApiWaiver]:
    """The api waivers of a waivers file; a missing file has none; errors are `path:line: reason`."""
    return [_api_waiver(Path(path), line, entry) for line, entry in waiver_entries(path, "api")]


def _api_waiver(path: Path, line: int, entry: dict[str, Any]) -> ApiWaiver:
    check_fields(path, line, entry, _FIELDS, _REQUIRED, "api waiver", "api waiver field")
    if not all(part.isidentifier() for part in entry["member"].split(".")):
        raise ConfigError(path, line, f"api waiver member {entry['member']!r} is not a (dotted) Python name")
    if entry.get("change", CHANGES[0]) not in CHANGES:
        raise ConfigError(path, line, f"api waiver change {entry['change']!r} is not one of {', '.join(CHANGES)}")
    return ApiWaiver(source=f"{path}:{line}", **entry)


@dataclass(frozen=True)
class Judged:
    """Differences split by the waivers, and the waivers nothing matched."""

    unwaived: list[ApiDifference]
    waived: list[tuple[ApiDifference, ApiWaiver]]
    unused: list[ApiWaiver]


def apply_api_waivers(differences: list[ApiDifference], waivers: list[ApiWaiver]) -> Judged:
    """Each difference with the first waiver that matches it; the waivers that matched none."""
    unwaived, waived = split_by_waivers(differences, waivers)
    used = {id(w) for _, w in waived}
    return Judged(unwaived, waived, [w for w in waivers if id(w) not in used])
