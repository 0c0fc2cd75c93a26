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
        return {"mutation_score_percent": data["score_percent"]}
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
