"""Latency distributions (legacy vs candidate) from the bench's pytest-benchmark JSON, as SVG."""

from __future__ import annotations

import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {"legacy": "#7a869a", "candidate": "#2f7ed8"}


def latency_samples(bench_json: Path) -> dict[str, dict[str, list[float]]]:
    """Microseconds per operation, by workload then side."""
    document = json.loads(bench_json.read_text(encoding="utf-8"))
    samples: dict[str, dict[str, list[float]]] = {}
    for bench in document.get("benchmarks", []):
        side = bench.get("param") or bench["name"]
        samples.setdefault(bench["group"], {})[side] = [s * 1e6 for s in bench["stats"]["data"]]
    return samples


def latency_svg(samples: dict[str, dict[str, list[float]]]) -> str:
    """One box plot per workload, legacy beside candidate; the SVG text."""
    figure, axes = plt.subplots(1, len(samples), figsize=(3.6 * len(samples), 3.4), squeeze=False)
    for axis, (workload, sides) in zip(axes[0], sorted(samples.items())):
        names = [n for n in ("legacy", "candidate") if n in sides]
        boxes = axis.boxplot([sides[n] for n in names], patch_artist=True, widths=0.6)
        for patch, name in zip(boxes["boxes"], names):
            patch.set_facecolor(COLOURS[name])
        axis.set_xticks(range(1, len(names) + 1), names)
        axis.set_title(workload)
        axis.set_ylabel("µs per operation")
    figure.suptitle("Latency per operation, paired rounds (lower is better)")
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    return buffer.getvalue()


def write_latency_plot(bench_json: Path, out: Path) -> str | None:
    """Write ``out`` (SVG) from the bench JSON; the SVG text, or None without bench data."""
    if not bench_json.is_file():
        return None
    samples = latency_samples(bench_json)
    if not samples:
        return None
    svg = latency_svg(samples)
    out.write_text(svg, encoding="utf-8")
    return svg
