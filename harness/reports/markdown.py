"""``report.md``: verdict first, then each gate's figures, diffs, noise and waivers."""

from __future__ import annotations

from harness.reports.model import (
    Attachments,
    MODULE_HEADER,
    DiffRow,
    RecordingView,
    ReportView,
    headline_figures,
    module_rows,
    shim_phrase,
)
from harness.reports.strength import NO_HISTORY, NOTE, TITLE, StrengthView

ICON = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return lines + ["| " + " | ".join(_cell(str(c)) for c in row) + " |" for row in rows]


def _verdict(view: ReportView) -> list[str]:
    return [
        "# Verdict: " + ICON.get(view.decision, view.decision.upper()),
        "",
        f"**{view.reason}**: {shim_phrase(view.exposed)}.",
        "",
        f"Legacy `{view.meta.get('legacy')}`, candidate `{view.meta.get('candidate')}`, "
        f"quick: {view.meta.get('quick')}, finished {view.meta.get('finished_at')}.",
        "",
    ]


def _gates(view: ReportView) -> list[str]:
    lines = ["## Gates", ""]
    lines += _table(("gate", "decision", "reason"), [(n, g["decision"], g["reason"]) for n, g in view.gates.items()])
    lines += [f"- **{name}**: harness error: {error}" for name, error in view.errors.items()]
    for name, gate in view.gates.items():
        lines += ["", f"### {name}", "", f"Thresholds: `{gate.get('thresholds')}`", ""]
        lines += _table(("figure", "value"), headline_figures(name, gate))
        lines += [f"- {label}: [{path}]({path})" for label, path in gate.get("artifacts", {}).items()]
        if name == "complexity":
            lines += ["", "Per module:", ""] + _table(MODULE_HEADER, module_rows(gate))
    return lines + [""]


def _diff_rows(rows: tuple[DiffRow, ...], waived: bool) -> list[str]:
    header = ("client", "frame", "JSON path", "kind", "legacy", "candidate") + (("waiver",) if waived else ())
    body = [
        (r.client, r.frame, f"`{r.path}`", r.kind, r.legacy, r.candidate) + ((r.waiver,) if waived else ())
        for r in rows
    ]
    return _table(header, body)


def _recording(rec: RecordingView) -> list[str]:
    status = rec.status
    lines = [f"### {rec.name}: {status}", ""]
    if rec.differences:
        lines += _diff_rows(rec.differences, waived=False) + [""]
    if rec.waived:
        lines += ["Waived:", ""] + _diff_rows(rec.waived, waived=True) + [""]
    if rec.noise:
        lines += ["Learned noise: " + ", ".join(f"`{p}`" for p in rec.noise), ""]
    return lines


def _bench(extra: Attachments) -> list[str]:
    lines = []
    if extra.plot_file:
        lines += [
            "## Latency distributions",
            "",
            f"![latency per operation, legacy vs candidate]({extra.plot_file})",
            "",
        ]
    if extra.bench_table:
        lines += ["pytest-benchmark's table of the paired rounds:", "", "```", extra.bench_table.strip("\n"), "```", ""]
    return lines


def _strength_figures(view: StrengthView) -> list[str]:
    rows = [(s.title, s.measured_at or "-", s.note or "measured") for s in view.sections]
    lines = _table(("part", "measured at", "status"), rows) + [""]
    figures = [row for s in view.sections for row in s.rows]
    return lines + (_table(("figure", "value"), figures) + [""] if figures else [])


def _strength_trend(view: StrengthView) -> list[str]:
    survivors = ", ".join(f"`{where}` ({what})" for where, what, _ in view.survivors)
    lines = [f"Surviving mutants: {survivors}", ""] if survivors else []
    if not any(previous != "-" for _, previous, _, _ in view.trend):
        return lines + [NO_HISTORY]
    return lines + _table(("figure", "previous", "now", "change"), list(view.trend))


def _strength(view: StrengthView) -> list[str]:
    lines = [f"## {TITLE}", "", NOTE + (f" Source: `{view.source}`." if view.source else ""), ""]
    return lines + _strength_figures(view) + _strength_trend(view) + [""]


def render_markdown(view: ReportView, extra: Attachments = Attachments()) -> str:
    """The Markdown report."""
    lines = _verdict(view) + _gates(view) + _bench(extra) + _strength(view.strength)
    lines += ["## Recordings", ""]
    for rec in view.recordings:
        lines += _recording(rec)
    if view.unused_waivers:
        lines += ["## Unused waivers", ""] + [f"- `{w}`" for w in view.unused_waivers] + [""]
    lines += ["## Versions", "", f"`{view.meta.get('versions')}`", ""]
    return "\n".join(lines)
