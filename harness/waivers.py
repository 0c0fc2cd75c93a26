"""Waivers: intended differences, declared in `recordings/waivers.toml`.

Each `[[waiver]]` has a kind: `wire` (the default: a difference on the wire, in one recording) or
`api` (a difference in the Python surface of the server class, read by the api gate).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from harness.diff import Difference
from harness.errors import ConfigError
from harness.jsonpath import covers
from harness.tomltables import check_fields, read_entries

_FIELDS = {"recording": str, "path": str, "reason": str, "client": str, "frame": int, "candidate": str}
_REQUIRED = ("recording", "path", "reason")
KINDS = ("wire", "api")


@dataclass(frozen=True)
class Waiver:
    """An intended difference: recording, JSON path (client and frame optional), reason;
    `candidate`: a pattern (fnmatch) of the candidate targets it is for (None: every one)."""

    recording: str
    path: str
    reason: str
    client: str | None = None
    frame: int | None = None
    candidate: str | None = None
    source: str = ""

    def applies_to(self, candidate: str | None) -> bool:
        """Whether the waiver is for a run of `candidate` (None: a run of no particular one)."""
        return self.candidate is None or (candidate is not None and fnmatchcase(candidate, self.candidate))

    def matches(self, difference: Difference) -> bool:
        return (
            self.recording == difference.recording
            and self.client in (None, difference.client)
            and self.frame in (None, difference.frame, difference.actual_frame)
            and covers(self.path, difference.path)
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WaivedDifference:
    difference: Difference
    waiver: Waiver

    def to_dict(self) -> dict[str, Any]:
        return {"difference": self.difference.to_dict(), "waiver": self.waiver.to_dict()}


def waiver_entries(path: Path, kind: str) -> list[tuple[int, dict[str, Any]]]:
    """The `[[waiver]]` entries of one kind (no `kind` means wire), each without its `kind` field."""
    found = []
    for line, entry in read_entries(path, "waiver"):
        entry = dict(entry)
        entry_kind = entry.pop("kind", "wire")
        if entry_kind not in KINDS:
            raise ConfigError(Path(path), line, f"unknown waiver kind {entry_kind!r} (want one of {', '.join(KINDS)})")
        if entry_kind == kind:
            found.append((line, entry))
    return found


def load_waivers(path: Path, candidate: str | None = None) -> list[Waiver]:
    """Read the wire `[[waiver]]` entries for a run of `candidate` (those naming another candidate
    are left out; None: only those naming none); a missing file means none; errors are
    `path:line: reason`."""
    waivers = [_waiver(Path(path), line, entry) for line, entry in waiver_entries(path, "wire")]
    return [waiver for waiver in waivers if waiver.applies_to(candidate)]


def _waiver(path: Path, line: int, entry: dict[str, Any]) -> Waiver:
    check_fields(path, line, entry, _FIELDS, _REQUIRED, "waiver", "waiver field")
    if not entry["path"].startswith("$"):
        raise ConfigError(path, line, "waiver path must be a JSON path starting with '$'")
    return Waiver(source=f"{path}:{line}", **entry)


def split_by_waivers(differences: list[Any], waivers: list[Any]) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Unwaived differences, and (difference, first waiver whose ``matches`` accepts it) pairs."""
    unwaived, waived = [], []
    for difference in differences:
        waiver = next((w for w in waivers if w.matches(difference)), None)
        if waiver is None:
            unwaived.append(difference)
        else:
            waived.append((difference, waiver))
    return unwaived, waived


def apply_waivers(
    differences: list[Difference], waivers: list[Waiver]
) -> tuple[list[Difference], list[WaivedDifference]]:
    """Split differences into unwaived and waived (with the first waiver that matches)."""
    unwaived, waived = split_by_waivers(differences, waivers)
    return unwaived, [WaivedDifference(difference, waiver) for difference, waiver in waived]


def unused_waivers(
    waivers: list[Waiver], waived: list[WaivedDifference], recordings: set[str]
) -> list[Waiver]:
    """Waivers for recordings in this run that matched nothing (an error)."""
    used = {id(w.waiver) for w in waived}
    return [w for w in waivers if w.recording in recordings and id(w) not in used]
