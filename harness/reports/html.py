"""``report.html``: one self-contained page (inline CSS and SVG), verdict at the top."""

from __future__ import annotations

from html import escape

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
from harness.reports.strength import NO_HISTORY, NOTE, TITLE, Section, StrengthView
from harness.reports.trendchart import trend_svg

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#1d2433;padding:0 1rem}
h1{padding:.6rem 1rem;border-radius:6px;color:#fff}
h1.pass{background:#2e7d32}h1.fail{background:#c62828}h1.error{background:#6a1b9a}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}
th,td{border:1px solid #d0d7e2;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f7}td.legacy{background:#fff4f4}td.candidate{background:#f2fbf3}
code{font:12px ui-monospace,monospace;word-break:break-all}.pass{color:#2e7d32}.fail{color:#c62828}
.skipped{color:#8a6d00}
h1.pass,h1.fail,h1.error{color:#fff}
.plot svg{max-width:100%;height:auto}
#strength .note{color:#4a5568;font-style:italic}
"""


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], classes: tuple[str, ...] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    cls = classes or ("",) * len(header)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{v}</td>' for c, v in zip(cls, row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _verdict(view: ReportView) -> str:
    title = f"Verdict: {escape(view.decision.upper())} &mdash; {escape(shim_phrase(view.exposed))}"
    meta = (
        f"Legacy <code>{escape(str(view.meta.get('legacy')))}</code>, candidate "
        f"<code>{escape(str(view.meta.get('candidate')))}</code>, quick: {escape(str(view.meta.get('quick')))}, "
        f"finished {escape(str(view.meta.get('finished_at')))}."
    )
    return (
        f'<h1 id="verdict" class="{escape(view.decision)}" data-decision="{escape(view.decision)}">{title}</h1>'
        f'<p id="reason"><strong>{escape(view.reason)}</strong></p><p>{meta}</p>'
    )


def _modules(rows: list[tuple[str, ...]]) -> str:
    if not rows:
        return ""
    return f"<details><summary>Per module ({len(rows)})</summary>{_table(MODULE_HEADER, rows)}</details>"


def _gate(name: str, gate: dict) -> str:
    rows = [(escape(label), f"<code>{escape(value)}</code>") for label, value in headline_figures(name, gate)]
    artifacts = gate.get("artifacts", {}).items()
    modules = [tuple(escape(c) for c in row) for row in module_rows(gate)] if name == "complexity" else []
    links = "".join(f'<li><a href="{escape(path)}">{escape(label)}</a></li>' for label, path in artifacts)
    return (
        f'<section id="gate-{escape(name)}"><h3>{escape(name)}: <span class="{escape(gate["decision"])}">'
        f'{escape(gate["decision"])}</span></h3><p>{escape(gate["reason"])}</p>'
        f'<p>Thresholds: <code>{escape(str(gate.get("thresholds")))}</code></p>'
        f'{_table(("figure", "value"), rows)}<ul>{links}</ul>'
        f"{_modules(modules)}</section>"
    )


def _gates(view: ReportView) -> str:
    errors = "".join(f"<li>{escape(n)}: harness error: {escape(e)}</li>" for n, e in view.errors.items())
    return (
        "<h2>Gates</h2>"
        + (f"<ul>{errors}</ul>" if errors else "")
        + "".join(_gate(name, gate) for name, gate in view.gates.items())
    )


def _diffs(rows: tuple[DiffRow, ...], waived: bool) -> str:
    header = ("client", "frame", "JSON path", "kind", "legacy", "candidate") + (("waiver",) if waived else ())
    classes = ("", "", "", "", "legacy", "candidate") + (("",) if waived else ())
    body = [
        tuple(escape(x) for x in (r.client, r.frame))
        + (
            f"<code>{escape(r.path)}</code>",
            escape(r.kind),
            f"<code>{escape(r.legacy)}</code>",
            f"<code>{escape(r.candidate)}</code>",
        )
        + ((escape(r.waiver),) if waived else ())
        for r in rows
    ]
    return _table(header, body, classes)


def _recording(rec: RecordingView) -> str:
    status = rec.status
    parts = [f'<h3 class="{"pass" if rec.ok else "fail"}">{escape(rec.name)}: {escape(status)}</h3>']
    if rec.differences:
        parts.append(_diffs(rec.differences, waived=False))
    if rec.waived:
        parts.append("<p>Waived:</p>" + _diffs(rec.waived, waived=True))
    if rec.noise:
        parts.append("<p>Learned noise: " + ", ".join(f"<code>{escape(p)}</code>" for p in rec.noise) + "</p>")
    return '<section class="recording">' + "".join(parts) + "</section>"


def _bench(extra: Attachments) -> str:
    svg, table = extra.svg, extra.bench_table
    plot = f'<h2>Latency distributions</h2><div class="plot">{svg[svg.find("<svg"):]}</div>' if svg else ""
    return plot + (
        f"<details><summary>pytest-benchmark table</summary><pre>{escape(table)}</pre></details>" if table else ""
    )


def _strength_part(section: Section) -> str:
    if section.note:
        return f"<h3>{escape(section.title)}</h3><p>{escape(section.note)}</p>"
    rows = [(escape(label), f"<code>{escape(value)}</code>") for label, value in section.rows]
    measured = f"<p>Measured {escape(section.measured_at)}.</p>"
    return f"<h3>{escape(section.title)}</h3>{measured}{_table(('figure', 'value'), rows)}"


def _strength_lists(view: StrengthView) -> str:
    survivors = [tuple(f"<code>{escape(c)}</code>" for c in row) for row in view.survivors]
    listings = "".join(
        f"<details><summary>{escape(item.title)}</summary><ul>"
        + "".join(f"<li><code>{escape(place)}</code></li>" for place in item.items)
        + "</ul></details>"
        for item in view.unreached
    )
    table = _table(("surviving mutant", "mutation", "reached by"), survivors) if survivors else ""
    return (f"<h3>Surviving mutants ({len(survivors)})</h3>{table}" if survivors else "") + listings


def _strength_trend(view: StrengthView) -> str:
    svg = trend_svg(view.series)
    chart = f'<div class="plot">{svg}</div>' if svg else f"<p>{escape(NO_HISTORY)}</p>"
    rows = [tuple(escape(c) for c in row) for row in view.trend]
    return "<h3>Trend</h3>" + (_table(("figure", "previous", "now", "change"), rows) if rows else "") + chart


def _strength(view: StrengthView) -> str:
    source = f" Source: <code>{escape(view.source)}</code>." if view.source else ""
    parts = "".join(_strength_part(s) for s in view.sections)
    return (
        f'<section id="strength"><h2>{escape(TITLE)}</h2><p class="note">{escape(NOTE)}{source}</p>'
        f"{parts}{_strength_lists(view)}{_strength_trend(view)}</section>"
    )


def render_html(view: ReportView, extra: Attachments = Attachments()) -> str:
    """The page, with the latency plot inlined as SVG."""
    plot = _bench(extra)
    recordings = "<h2>Recordings</h2>" + "".join(_recording(r) for r in view.recordings)
    unused = "".join(f"<li><code>{escape(str(w))}</code></li>" for w in view.unused_waivers)
    unused = f"<h2>Unused waivers</h2><ul>{unused}</ul>" if unused else ""
    versions = f"<h2>Versions</h2><p><code>{escape(str(view.meta.get('versions')))}</code></p>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>wsgm verdict: '
        f"{escape(view.decision)}</title><style>{CSS}</style></head><body>{_verdict(view)}{_gates(view)}"
        f"{plot}{_strength(view.strength)}{recordings}{unused}{versions}"
        "</body></html>\n"
    )
