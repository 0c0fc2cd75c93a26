"""`reports/strength.json`: coverage and mutation figures, with their trend over earlier runs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HISTORY_LIMIT = 50


def headline(section: str, data: dict[str, Any]) -> dict[str, float]:
    """The figures whose trend is tracked, per section."""
    if section == "mutation":
        strict = data.get("score_counting_unobservable_percent")
        return {"mutation_score_percent": data["score_percent"],
                **({} if strict is None else {"mutation_score_counting_unobservable_percent": strict})}
    return {f"{c['target']}_{kind}_percent": c[f"{kind}_percent"]
            for c in data["targets"] for kind in ("line", "branch")}


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _trend(current: dict[str, float], history: list[dict[str, Any]]) -> dict[str, Any]:
    """Change of each figure since the last run that had it."""
    out = {}
    for key, value in current.items():
        earlier = [h["figures"][key] for h in history if key in h.get("figures", {})]
        if earlier:
            out[key] = {"previous": earlier[-1], "now": value, "change": round(value - earlier[-1], 2)}
    return out


def update(path: Path, section: str, data: dict[str, Any]) -> dict[str, Any]:
    """Write `section` into the report (other sections kept), with trend and history."""
    report = _load(path)
    history = list(report.get("history", []))
    figures = headline(section, data)
    now = datetime.now(timezone.utc).isoformat()
    report[section] = {**data, "measured_at": now}
    report["trend"] = {**report.get("trend", {}), **_trend(figures, history)}
    report["history"] = (history + [{"at": now, "section": section, "figures": figures}])[-HISTORY_LIMIT:]
    report["note"] = "information only (not a gate)"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


# Reading the report back for the verdict: information only, never a gate.

NOTE = "information only, not a gate: never changes the decision or the exit code"
COMMANDS = {"coverage": "harness strength", "mutation": "harness mutate"}
TARGET_FIGURES = ("line_percent", "branch_percent", "statements", "covered_lines", "branches", "covered_branches")
MUTATION_LISTS = ("survivors", "killed_by", "equivalents", "measured_at")  # per mutant, not figures
SCALARS = (str, int, float, bool, type(None))
SURVIVOR_KINDS = ("status", "kind", "selection")  # "covered: 3 recordings" / "not covered"


def read(path: Path) -> tuple[dict[str, Any], str | None]:
    """The report and None, or an empty report and why it could not be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, f"no strength report at {path}"
    except OSError as exc:
        return {}, f"{path}: cannot be read ({exc.strerror})"
    except json.JSONDecodeError as exc:
        return {}, f"{path}:{exc.lineno}: not valid JSON ({exc.msg})"
    return (data, None) if isinstance(data, dict) else ({}, f"{path}: not a JSON object")


def _plain(value: Any) -> bool:
    """A scalar, or a short list or mapping of scalars (e.g. a confidence interval)."""
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, (list, dict)):
        return len(value) <= 4 and all(isinstance(v, SCALARS) for v in items)
    return isinstance(value, SCALARS)


def _target(data: dict[str, Any]) -> dict[str, Any]:
    missing = [str(m) for m in data.get("missing_branches", [])]
    figures = {key: data.get(key) for key in TARGET_FIGURES}
    try:
        unreached = int(data["branches"]) - int(data["covered_branches"])
    except (KeyError, TypeError, ValueError):
        unreached = len(missing)
    return {"target": str(data["target"]), **figures, "unreached_branches": unreached, "missing_branches": missing}


def _coverage(data: dict[str, Any]) -> dict[str, Any]:
    return {"corpus": [str(c) for c in data.get("corpus", [])], "targets": [_target(t) for t in data["targets"]]}


def _survivor(data: dict[str, Any]) -> dict[str, str]:
    """Where the surviving mutant is, what it changes, and whether any recording runs its line."""
    where = data.get("where") or f"{data.get('path', '?')}:{data.get('line', '?')}"
    kind = next((data[k] for k in SURVIVOR_KINDS if data.get(k)), "")
    return {"where": str(where), "description": str(data.get("description", "")), "kind": str(kind)}


def _mutation(data: dict[str, Any]) -> dict[str, Any]:
    """Every plain figure (a longer list as its length), the score, and the survivors by place."""
    rest = {k: v for k, v in data.items() if k not in MUTATION_LISTS}
    figures = {k: v if _plain(v) else len(v) for k, v in rest.items() if _plain(v) or isinstance(v, list)}
    survivors = [_survivor(s) for s in data.get("survivors", [])]
    return {**figures, "score_percent": float(data["score_percent"]), "survivors": survivors}


SUMMARIES = {"coverage": _coverage, "mutation": _mutation}


def _section(name: str, data: Any, problem: str | None) -> dict[str, Any]:
    """One section's figures, or why it was not measured; never raises on bad content."""
    if problem or data is None:
        reason = problem or "not in the strength report"
        return {"measured": False, "note": f"not measured yet: {reason} (run `{COMMANDS[name]}`)"}
    try:
        return {"measured": True, "measured_at": str(data.get("measured_at", "")), **SUMMARIES[name](data)}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        return {"measured": False, "note": f"not measured: the {name} section is unreadable ({exc!r})"}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _entries(history: Any) -> list[tuple[str, str, float]]:
    """(run time, figure, value) for each numeric figure of each well-formed history entry."""
    runs = [h for h in history if isinstance(h, dict)] if isinstance(history, list) else []
    return [
        (str(run.get("at", "")), str(key), value)
        for run in runs
        if isinstance(run.get("figures"), dict)
        for key, value in run["figures"].items()
        if _number(value)
    ]


def _points(history: Any) -> dict[str, list[dict[str, Any]]]:
    """Each headline figure's values over the runs, oldest first."""
    series: dict[str, list[dict[str, Any]]] = {}
    for at, key, value in _entries(history):
        series.setdefault(key, []).append({"at": at, "value": value})
    return series


def _change(points: list[dict[str, Any]]) -> dict[str, Any]:
    now = points[-1]["value"]
    previous = points[-2]["value"] if len(points) > 1 else None
    change = None if previous is None else round(now - previous, 2)
    return {"now": now, "previous": previous, "change": change, "series": points}


def information(path: Path) -> dict[str, Any]:
    """The strength report as the verdict's information block; a missing or bad file is noted."""
    report, problem = read(path)
    sections = {name: _section(name, report.get(name), problem) for name in SUMMARIES}
    trend = {key: _change(points) for key, points in _points(report.get("history")).items()}
    return {"gate": False, "note": NOTE, "source": str(path), **sections, "trend": trend}
