"""What the reports show, read out of the verdict document."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from harness.reports.strength import StrengthView, strength_view


def short(value: Any, limit: int = 120) -> str:
    """A JSON value as compact text, cut at ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class DiffRow:
    """One difference, side by side."""

    client: str
    frame: str
    path: str
    kind: str
    legacy: str
    candidate: str
    waiver: str = ""


@dataclass(frozen=True)
class RecordingView:
    """One recording's outcome."""

    name: str
    ok: bool
    error: str | None
    differences: tuple[DiffRow, ...]
    waived: tuple[DiffRow, ...]
    noise: tuple[str, ...]
    not_applicable: str | None = None

    @property
    def status(self) -> str:
        """`match`, `not applicable: why`, `error: why` or `N difference(s)`."""
        if self.not_applicable:
            return "not applicable: " + self.not_applicable
        if self.ok:
            return "match"
        return "error: " + self.error if self.error else f"{len(self.differences)} difference(s)"


@dataclass(frozen=True)
class ReportView:
    """The whole report."""

    decision: str
    reason: str
    exposed: str
    gates: dict[str, dict]
    errors: dict[str, str]
    recordings: tuple[RecordingView, ...] = field(default_factory=tuple)
    unused_waivers: tuple[dict, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    strength: StrengthView = field(default_factory=lambda: strength_view(None))


@dataclass(frozen=True)
class Attachments:
    """What the reports show beside the verdict: the latency plot and pytest-benchmark's table."""

    plot_file: str | None = None
    svg: str | None = None
    bench_table: str | None = None


SHIM_PHRASES = {"unchanged": "the shim is unchanged (partial run)", "off": "no shim (no import rewritten)"}


def shim_phrase(exposed: str) -> str:
    """What happened to the shim, in words."""
    return SHIM_PHRASES.get(exposed, f"the shim exposes {exposed}")


def _row(difference: dict, waiver: str = "") -> DiffRow:
    frame = difference.get("frame")
    return DiffRow(
        str(difference.get("client", "")),
        "-" if frame is None else str(frame),
        str(difference.get("path", "$")),
        str(difference.get("kind", "")),
        short(difference.get("expected")),
        short(difference.get("actual")),
        waiver,
    )


def _recording(data: dict) -> RecordingView:
    waived = tuple(_row(w["difference"], w.get("waiver", {}).get("reason", "")) for w in data.get("waived", []))
    return RecordingView(
        data.get("name", "?"),
        bool(data.get("ok")),
        data.get("error"),
        tuple(_row(d) for d in data.get("differences", [])),
        waived,
        tuple(data.get("noise", [])),
        data.get("not_applicable"),
    )


def report_view(document: dict) -> ReportView:
    """The report's content from ``verdict.json``'s document."""
    corpus = document.get("gates", {}).get("golden", {}).get("figures", {}).get("corpus", {})
    gates = {name: {k: v for k, v in gate.items()} for name, gate in document.get("gates", {}).items()}
    meta = {
        k: document.get(k)
        for k in ("legacy", "candidate", "quick", "complete", "started_at", "finished_at", "versions", "exit_code")
    }
    return ReportView(
        decision=document.get("decision", "?"),
        reason=document.get("reason", ""),
        exposed=document.get("shim", {}).get("exposed", "?"),
        gates=gates,
        errors=document.get("errors", {}),
        recordings=tuple(_recording(r) for r in corpus.get("recordings", [])),
        unused_waivers=tuple(corpus.get("unused_waivers", [])),
        meta=meta,
        strength=strength_view(document.get("information", {}).get("strength")),
    )


def headline_figures(name: str, gate: dict) -> list[tuple[str, str]]:
    """The few figures a gate is judged on, as (label, value) pairs."""
    figures = gate.get("figures", {})
    return TABLE.get(name, _generic)(figures)


def _generic(figures: dict) -> list[tuple[str, str]]:
    return [(k, short(v, 60)) for k, v in figures.items() if not isinstance(v, (dict, list))]


def _bench(figures: dict) -> list[tuple[str, str]]:
    spread = figures.get("spread", {})
    rows = [
        ("candidate/legacy time ratio", str(figures.get("ratio"))),
        ("paired ratios q1 / q3 / min / max", " / ".join(str(spread.get(k)) for k in ("q1", "q3", "min", "max"))),
        ("attempts", short(figures.get("attempts"))),
    ]
    for workload, data in figures.get("workloads", {}).items():
        rows.append((f"{workload} ratio (median, IQR)", f"{data['ratio']['median']} ({data['ratio']['iqr']})"))
        rows.append(
            (
                f"{workload} {data['unit']}/s legacy vs candidate",
                f"{data['legacy_ops_per_second']} vs {data['candidate_ops_per_second']}",
            )
        )
        if "legacy_replays_per_second" in data:
            rows.append((f"{workload} replays/s legacy vs candidate",
                         f"{data['legacy_replays_per_second']} vs {data['candidate_replays_per_second']}"))
    if "recordings" in figures:
        rows.append(("recordings replayed", f"{len(figures['recordings'])} ({figures.get('copies')} copies at once)"))
        rows += [(f"left out: {name}", short(reason, 100)) for name, reason in figures.get("left_out", {}).items()]
    return rows


def _memory(figures: dict) -> list[tuple[str, str]]:
    rows = []
    for side in ("legacy", "candidate"):
        data = figures.get(side, {})
        rows.append((f"{side} retained B per replay", str(data.get("bytes_per_replay"))))
        rows.append((f"{side} peak bytes", str(data.get("peak_bytes"))))
        rows.append((f"{side} recordings replayed (left out)",
                     f"{data.get('recordings')} ({', '.join(data.get('left_out', {})) or 'none'})"))
    rows.append(("allowed B per replay", str(figures.get("allowed_bytes_per_replay"))))
    for name, data in figures.get("bounded", {}).items():
        rows.append((f"{name} max entries / bound", f"{data['max_size']} / {data['bound']}"))
    return rows


def _complexity(figures: dict) -> list[tuple[str, str]]:
    rows = []
    for side in ("candidate", "legacy"):
        data = figures.get(side)
        if data and data.get("measured") is False:
            rows.append((side, data.get("note", "not measured")))
        elif data:
            worst = data.get("worst_block") or {}
            block = f"{worst.get('name')} CC {worst.get('complexity')} ({worst.get('rank')})"
            rows.append((f"{side} worst block", block))
            rows.append((f"{side} lowest MI", str(data.get("min_mi"))))
            rows.append((f"{side} blocks over the limit", str(len(data.get("over_limit", [])))))
    return rows


def _golden(figures: dict) -> list[tuple[str, str]]:
    return [(k, short(v, 80)) for k, v in figures.items() if k != "corpus"]


def _api(figures: dict) -> list[tuple[str, str]]:
    """The counts, then each difference: unwaived ones with their detail, waived ones with their reason."""
    rows = _generic(figures)
    rows += [(f"unwaived: {d['member']}", f"{d['change']} ({d['detail']})") for d in figures.get("unwaived", [])]
    rows += [(f"waived: {w['difference']['member']}", f"{w['difference']['change']}: {w['waiver']['reason']}")
             for w in figures.get("waived", [])]
    rows += [(f"unused waiver: {w['member']}", w["source"]) for w in figures.get("unused", [])]
    return rows


TABLE = {"bench": _bench, "memory": _memory, "complexity": _complexity, "golden": _golden, "api": _api}


MODULE_HEADER = ("side", "module", "MI", "rank", "worst block", "worst CC", "average CC")


def module_rows(gate: dict) -> list[tuple[str, ...]]:
    """radon's per-module figures, candidate then legacy."""
    rows = []
    for side in ("candidate", "legacy"):
        for module in gate.get("figures", {}).get(side, {}).get("modules", []):
            worst = module.get("worst") or {}
            rows.append(
                (
                    side,
                    module["path"],
                    f"{module['mi']:.1f}",
                    module["mi_rank"],
                    str(worst.get("name", "-")),
                    str(worst.get("complexity", "-")),
                    f"{module['average_cc']:.2f}",
                )
            )
    return rows
