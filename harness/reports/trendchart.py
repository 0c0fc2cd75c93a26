"""A small self-contained SVG line chart of percentages over runs (the strength trend)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from harness.reports.strength import Series

PALETTE = ("#2f7ed8", "#7a869a", "#2e7d32", "#c62828", "#6a1b9a", "#ef6c00")


@dataclass(frozen=True)
class Frame:
    """Where the plot area sits in the picture and which values and runs it spans."""

    runs: tuple[str, ...]
    low: float
    high: float
    left: int = 48
    right: int = 440
    top: int = 16
    bottom: int = 176
    width: int = 640
    height: int = 212

    def x(self, at: str) -> float:
        step = (self.right - self.left) / max(len(self.runs) - 1, 1)
        return self.left + self.runs.index(at) * step

    def y(self, value: float) -> float:
        return self.bottom - (value - self.low) / (self.high - self.low) * (self.bottom - self.top)


def frame_for(series: tuple[Series, ...]) -> Frame:
    """Runs in time order; the value range rounded out to whole percents, within 0–100."""
    values = [v for s in series for _, v in s.points]
    low, high = max(0.0, math.floor(min(values)) - 1), min(100.0, math.ceil(max(values)) + 1)
    if high - low < 2:
        low, high = max(0.0, high - 2), max(high, 2.0)
    return Frame(tuple(sorted({at for s in series for at, _ in s.points})), low, high)


def _axes(frame: Frame) -> str:
    middle = (frame.low + frame.high) / 2
    grid = "".join(
        f'<line x1="{frame.left}" x2="{frame.right}" y1="{frame.y(v):.1f}" y2="{frame.y(v):.1f}" stroke="#d0d7e2"/>'
        f'<text x="{frame.left - 6}" y="{frame.y(v) + 4:.1f}" text-anchor="end">{v:g} %</text>'
        for v in (frame.low, middle, frame.high)
    )
    first, last = (escape(at[:16].replace("T", " ")) for at in (frame.runs[0], frame.runs[-1]))
    below = frame.bottom + 20
    return (
        f'{grid}<text x="{frame.left}" y="{below}">{first}</text>'
        f'<text x="{frame.right}" y="{below}" text-anchor="end">{last}</text>'
    )


def _line(frame: Frame, series: Series, colour: str, row: int) -> str:
    points = " ".join(f"{frame.x(at):.1f},{frame.y(v):.1f}" for at, v in series.points)
    dots = "".join(
        f'<circle cx="{frame.x(at):.1f}" cy="{frame.y(v):.1f}" r="3" fill="{colour}">'
        f"<title>{escape(series.name)}: {v:g} ({escape(at)})</title></circle>"
        for at, v in series.points
    )
    key_y = frame.top + 6 + 18 * row
    legend = (
        f'<line x1="{frame.right + 20}" x2="{frame.right + 40}" y1="{key_y}" y2="{key_y}" stroke="{colour}" '
        f'stroke-width="2"/><text x="{frame.right + 46}" y="{key_y + 4}">{escape(series.name)}</text>'
    )
    return f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>{dots}{legend}'


def trend_svg(series: tuple[Series, ...]) -> str:
    """The chart as inline SVG text (no external assets); empty without a series of 2+ points."""
    series = tuple(s for s in series if len(s.points) > 1)
    if not series:
        return ""
    frame = frame_for(series)
    lines = "".join(_line(frame, s, PALETTE[i % len(PALETTE)], i) for i, s in enumerate(series))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="{frame.width}" height="{frame.height}" role="img" font-size="11" font-family="sans-serif">'
        f"<title>Golden-master strength over time (%)</title>{_axes(frame)}{lines}</svg>"
    )
