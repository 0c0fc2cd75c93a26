"""The golden master's strength as the reports show it (verdict ``information.strength``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

TITLE = "Golden-master strength (information)"
NOTE = "Information only, not a gate: these figures never change the decision or the exit code."
NO_HISTORY = "No earlier report: the trend starts with the next measurement."
ABSENT = "not measured: this verdict carries no strength figures"
MUTATION_LABELS = {
    "score_percent": "mutation score % (of mutants not declared equivalent or unobservable)",
    "score_counting_unobservable_percent": "mutation score % counting unobservable mutants as survivors",
    "declared_equivalent": "declared equivalent (behave the same)",
    "declared_unobservable": "declared unobservable (differ only off the wire)",
    "mutation_sites": "mutation sites",
    "mutants_run": "mutants run",
    "killed": "killed",
    "survived": "survived",
    "equivalent": "declared (equivalent or unobservable)",
    "not_covered": "survivors on lines no recording runs",
    "not_run": "not run (time budget)",
    "confidence_95": "score's 95 % confidence interval (sample)",
    "contradicted_declarations": "declared equivalent, yet killed",
    "unused_declarations": "equivalence declarations matching no mutant",
}
TREND_LABELS = {"mutation_score_percent": "mutation score %",
                "mutation_score_counting_unobservable_percent": "mutation score % counting unobservable"}


@dataclass(frozen=True)
class Section:
    """Coverage or mutation: when it was measured and its figures, or why it was not."""

    title: str
    measured_at: str
    note: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Listing:
    """A collapsible list: the places where one target's branches are never reached."""

    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Series:
    """One headline figure over the runs, oldest first: (timestamp, value) pairs."""

    name: str
    points: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class StrengthView:
    """Everything the strength section of the reports shows."""

    source: str
    sections: tuple[Section, ...]
    unreached: tuple[Listing, ...] = ()
    survivors: tuple[tuple[str, str, str], ...] = ()
    trend: tuple[tuple[str, str, str, str], ...] = ()
    series: tuple[Series, ...] = ()


def trend_label(key: str) -> str:
    """``legacy_line_percent`` -> ``legacy line %``."""
    return TREND_LABELS.get(key) or key.removesuffix("_percent").replace("_", " ") + " %"


def _text(value: Any) -> str:
    """A figure as text: ``-`` when absent, lists and mappings (e.g. an interval) as JSON."""
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return "-" if value is None else str(value)


def _places(count: int) -> str:
    return f"{count} place" if count == 1 else f"{count} places"


def _target_rows(target: dict) -> list[tuple[str, str]]:
    name, missing = target.get("target", "?"), target.get("missing_branches", [])
    line = f"{_text(target.get('line_percent'))} % ({target.get('covered_lines')} of {target.get('statements')} lines)"
    branch = (
        f"{_text(target.get('branch_percent'))} % "
        f"({target.get('covered_branches')} of {target.get('branches')} branches)"
    )
    unreached = f"{_text(target.get('unreached_branches'))} (at {_places(len(missing))})"
    return [
        (f"{name} line coverage", line),
        (f"{name} branch coverage", branch),
        (f"{name} branches no recording reaches", unreached),
    ]


def _coverage_rows(data: dict) -> tuple[tuple[str, str], ...]:
    rows = [("corpus", ", ".join(data.get("corpus", [])) or "-")]
    for target in data.get("targets", []):
        rows += _target_rows(target)
    return tuple(rows)


def _mutation_rows(data: dict) -> tuple[tuple[str, str], ...]:
    """The known figures in a fixed order with their labels, then any others by name."""
    known = [(label, _text(data[key])) for key, label in MUTATION_LABELS.items() if key in data]
    skipped = {*MUTATION_LABELS, "measured", "measured_at", "survivors"}
    return tuple(known + [(k.replace("_", " "), _text(v)) for k, v in data.items() if k not in skipped])


ROWS = {"coverage": ("Corpus coverage", _coverage_rows), "mutation": ("Mutation score", _mutation_rows)}


def _section(name: str, data: dict) -> Section:
    title, rows = ROWS[name]
    if not data.get("measured"):
        return Section(title, "", data.get("note") or ABSENT, ())
    return Section(title, str(data.get("measured_at", "")), "", rows(data))


def _listings(coverage: dict) -> tuple[Listing, ...]:
    return tuple(
        Listing(
            f"{t.get('target')}: {_text(t.get('unreached_branches'))} branches no recording reaches, "
            f"at {_places(len(t['missing_branches']))}",
            tuple(t["missing_branches"]),
        )
        for t in coverage.get("targets", [])
        if t.get("missing_branches")
    )


def _change(value: Any) -> str:
    return "-" if value is None else f"{value:+g}"


def _trend(trend: dict) -> tuple[tuple[tuple[str, str, str, str], ...], tuple[Series, ...]]:
    rows = tuple(
        (trend_label(k), _text(t.get("previous")), _text(t.get("now")), _change(t.get("change")))
        for k, t in trend.items()
    )
    series = tuple(
        Series(trend_label(k), tuple((p["at"], p["value"]) for p in t.get("series", [])))
        for k, t in trend.items()
        if len(t.get("series", [])) > 1
    )
    return rows, series


def strength_view(block: dict | None) -> StrengthView:
    """The view of ``information.strength`` (an absent block is shown as not measured)."""
    block = block or {}
    coverage, mutation = block.get("coverage") or {}, block.get("mutation") or {}
    survivors = tuple(
        (s.get("where", "?"), s.get("description", ""), s.get("kind") or "-") for s in mutation.get("survivors", [])
    )
    trend, series = _trend(block.get("trend") or {})
    return StrengthView(
        source=str(block.get("source", "")),
        sections=(_section("coverage", coverage), _section("mutation", mutation)),
        unreached=_listings(coverage) if coverage.get("measured") else (),
        survivors=survivors,
        trend=trend,
        series=series,
    )
