"""Write every report of a verdict into the reports directory."""

from __future__ import annotations

from pathlib import Path

from harness.reports.html import render_html
from harness.reports.junit import render_junit
from harness.reports.markdown import render_markdown
from harness.reports.model import Attachments, report_view
from harness.reports.plot import write_latency_plot

PLOT = "latency.svg"


def write_reports(document: dict, reports: Path) -> dict[str, Path]:
    """``report.md``, ``report.html``, ``junit.xml`` and the latency plot; their paths."""
    reports.mkdir(parents=True, exist_ok=True)
    view = report_view(document)
    svg = write_latency_plot(reports / "bench.json", reports / PLOT) if "bench" in view.gates else None
    table = reports / "bench.txt"
    extra = Attachments(
        PLOT if svg else None, svg, table.read_text(encoding="utf-8") if svg and table.is_file() else None
    )
    written = {
        "markdown": reports / "report.md",
        "html": reports / "report.html",
        "junit": reports / "junit.xml",
    }
    written["markdown"].write_text(render_markdown(view, extra), encoding="utf-8")
    written["html"].write_text(render_html(view, extra), encoding="utf-8")
    written["junit"].write_text(render_junit(view), encoding="utf-8")
    return written
