"""Figures and plot for docs/PERFORMANCE.md from ``reports/perf/results.json`` (+ ``capacity.json``).

    python -m benchmarks.report --results reports/perf --doc docs/PERFORMANCE.md --plot docs/perf/latency.png

The figures section of the document (between the ``perf:figures`` markers) is replaced;
everything else in it is kept.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

BEGIN, END = "<!-- perf:figures:begin -->", "<!-- perf:figures:end -->"
SERVERS = ("legacy", "refactored", "echo")
RATIOS = ("refactored/legacy", "refactored/echo", "legacy/echo")
ORDER = ("ping_round_trip", "login_round_trip", "subscribe_round_trip", "pipelined", "concurrent_100",
         "broadcast_100", "broadcast_1000", "fanout_100", "fanout_100_server_call", "fanout_1000",
         "fanout_1000_server_call", "corpus_replay", "corpus_replay_nowait", "corpus_replay_server_cpu")


def _time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def _ratio(spread: dict | None) -> str:
    if not spread:
        return "–"
    return f"{spread['median']:.3f} ({spread['q1']:.2f}–{spread['q3']:.2f})"


def workload_table(workloads: dict) -> list[str]:
    rows = ["| workload | one op | legacy | refactored | echo | refactored/legacy | refactored/echo | legacy/echo | rounds × iterations |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in [w for w in ORDER if w in workloads]:
        w = workloads[name]
        cells = []
        for server in SERVERS:
            s = w["servers"].get(server)
            cells.append(f"{_time(s['seconds_per_op']['median'])} ({s['ops_per_second']:,.0f}/s)" if s else "skipped")
        ratios = [_ratio(w["time_ratios"].get(r)) for r in RATIOS]
        rounds = len(next(iter(w["servers"].values()))["rounds"])
        rows.append(f"| {name} | {w['unit']} | " + " | ".join(cells + ratios) + f" | {rounds} × {w['iterations']} |")
    return rows


def dispatch_table(dispatch: list[dict]) -> list[str]:
    rows = ["| message (no socket) | legacy µs | refactored µs | echo µs (loads+dumps) | refactored frame work µs | routing overhead µs |",
            "| --- | --- | --- | --- | --- | --- |"]
    for d in dispatch:
        us = {k: v["median"] for k, v in d["per_message_us"].items()}
        overhead = d["routing_overhead_us"]
        rows.append(f"| {d['message']} | {us.get('legacy', '–')} | {us.get('refactored', '–')} | {us.get('echo', '–')} | "
                    f"{us.get('frame_work', '–')} | {'–' if overhead is None or math.isnan(overhead) else overhead} |")
    return rows


def latency_table(latency: dict) -> list[str]:
    rows = ["| request | server | p50 ms | p90 ms | p99 ms | p99.9 ms | samples |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for kind, per_server in latency.items():
        for server, figures in per_server.items():
            p = figures["percentiles_ms"]
            rows.append(f"| {kind} | {server} | {p['p50']} | {p['p90']} | {p['p99']} | {p['p99.9']} | {len(figures['samples_ms'])} |")
    return rows


def _median(workloads: dict, name: str, server: str) -> float | None:
    s = workloads.get(name, {}).get("servers", {}).get(server)
    return s["seconds_per_op"]["median"] if s else None


def _ratio_of(workloads: dict, name: str, pair: str) -> float | None:
    spread = workloads.get(name, {}).get("time_ratios", {}).get(pair)
    return spread["median"] if spread else None


def _row(text: str, value: float | None, shown: str, ok) -> str:
    verdict = "–" if value is None else ("**met**" if ok(value) else "**missed**")
    return f"| {text} | {shown if value is not None else 'not measured'} | {verdict} |"


def _broadcast_rows(w: dict) -> list[str]:
    rows = []
    for n, limit in ((100, 5e-3), (1000, 50e-3)):
        for name, how in ((f"fanout_{n}", "subscribers in another process"),
                          (f"broadcast_{n}", "subscribers in the server's process"),
                          (f"fanout_{n}_server_call", "server side only: inside broadcast_to_subscribers")):
            t, e = _median(w, name, "refactored"), _median(w, name, "echo")
            shown = f"{_time(t)} (echo {_time(e)})" if t and e else (_time(t) if t else "")
            rows.append(_row(f"broadcast to {n} subscribers < {_time(limit)}, refactored, {how}", t, shown,
                             lambda v, lim=limit: v < lim))
    return rows


def _dispatch_overhead(results: dict) -> float | None:
    ping = next((d for d in results.get("dispatch", []) if d["message"] == "ping"), None)
    return ping["routing_overhead_us"] if ping and not math.isnan(ping["routing_overhead_us"]) else None


CORPUS_ROWS = (("corpus_replay", "wall-clock time (the figure the target is judged on)"),
               ("corpus_replay_nowait", "wall-clock time, recordings not paced by timers"),
               ("corpus_replay_server_cpu", "server CPU time, whole corpus (the server's own work)"))


def targets_table(results: dict) -> list[str]:
    """One row per target: the figure and met / missed."""
    w = results["workloads"]
    rows = ["| target | figure | met? |", "| --- | --- | --- |"]
    for name, what in CORPUS_ROWS:
        r = _ratio_of(w, name, "refactored/legacy")
        rows.append(_row(f"refactored/legacy ≤ 0.70 on corpus replay: `{name}`, {what}", r, f"{r:.3f}" if r else "",
                         lambda v: v <= 0.70))
    r = _ratio_of(w, "pipelined", "refactored/echo")
    rows.append(_row("pipelined refactored throughput ≥ 0.75 × echo", r, f"{1 / r:.3f} × echo" if r else "",
                     lambda v: 1 / v >= 0.75))
    rows += _broadcast_rows(w)
    o = _dispatch_overhead(results)
    rows.append(_row("dispatch (routing) overhead < 5 µs", o, f"{o:.2f} µs" if o is not None else "", lambda v: v < 5))
    return rows


def capacity_table(capacity: dict) -> list[str]:
    rows = [f"Heartbeat every {capacity['window']:g} s, p99 limit {capacity['p99_limit_ms']:g} ms, "
            f"process file limit {capacity['ceiling_fd'] + 200}.", "",
            "| server | holds | step | connected | connect time | p50 ms | p99 ms | max ms | server RSS | server CPU in window | result |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for target, t in capacity["targets"].items():
        for s in t["steps"]:
            p = s["percentiles_ms"]
            rows.append(f"| {target} | {t['max_connections']}{' (fd ceiling)' if t['limited_by_fd_ceiling'] else ''} | "
                        f"{s['connections']} | {s['connected']} | {s['connect_seconds']} s | {p.get('p50', '–')} | "
                        f"{p.get('p99', '–')} | {s.get('max_ms', '–')} | {s['server_rss_mb']} MB | "
                        f"{s['server_cpu_seconds']} s | {'pass' if s['passed'] else 'FAIL: ' + (s['failures'][0] if s['failures'] else 'p99')} |")
    return rows


def _latency_panel(ax, kind: str, per_server: dict) -> None:
    for server, figures in per_server.items():
        values = sorted(figures["samples_ms"])
        ax.plot(values, [(i + 1) / len(values) for i in range(len(values))], label=server)
    ax.set_xscale("log")
    ax.set_title(f"{kind} round trip (CDF)")
    ax.set_xlabel("ms")
    ax.grid(True, alpha=0.3)
    ax.legend()


def _capacity_panel(ax, capacity: dict) -> None:
    for target, t in capacity["targets"].items():
        steps = sorted((s for s in t["steps"] if s["percentiles_ms"]), key=lambda s: s["connections"])
        ax.plot([s["connections"] for s in steps], [s["percentiles_ms"]["p99"] for s in steps], "o-", label=target)
    ax.axhline(capacity["p99_limit_ms"], color="red", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title("heartbeat ping p99 vs connections")
    ax.set_xlabel("connections")
    ax.set_ylabel("p99 ms")
    ax.grid(True, alpha=0.3)
    ax.legend()


def plot(results: dict, capacity: dict | None, path: Path) -> None:
    """Latency CDFs per request kind (and p99 per capacity step) as one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(results.get("latency", {}))
    panels = max(1, len(kinds) + (1 if capacity else 0))
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.6), squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        _latency_panel(ax, kind, results["latency"][kind])
    if capacity:
        _capacity_panel(axes[0][-1], capacity)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


GROUPS = (("socket syscalls", lambda f, fn: f == "~" and "_socket.socket" in fn),
          ("websockets", lambda f, fn: "/websockets/" in f),
          ("asyncio loop", lambda f, fn: "/asyncio/" in f or f.endswith("selectors.py")),
          ("json", lambda f, fn: "/json/" in f),
          ("server code", lambda f, fn: any(p in f for p in ("/legacy/", "/refactored/", "/benchmarks/"))))
SERVER_CODE = ("/legacy/", "/refactored/", "/benchmarks/")


def _group(file: str, func: str) -> str:
    return next((name for name, test in GROUPS if test(file, func)), "other (stdlib, startup)")


def profile_rows(path: Path, top: int = 8) -> tuple[float, dict[str, float], list[tuple[float, int, str]]]:
    """Busy seconds, own time per group, and the top server-code functions by own time."""
    import pstats

    stats = pstats.Stats(str(path))
    busy, groups, own = 0.0, {}, []
    for (file, line, func), (_, calls, tt, _, _) in stats.stats.items():
        if "select.epoll" in func:
            continue
        busy += tt
        group = _group(file, func)
        groups[group] = groups.get(group, 0.0) + tt
        if any(p in file for p in SERVER_CODE):
            own.append((tt, calls, f"{file.split('/work/main/')[-1]}:{line}({func})"))
    return busy, groups, sorted(own, reverse=True)[:top]


def profiles_markdown(directory: Path) -> list[str]:
    lines = []
    for server in SERVERS:
        path = directory / f"profile-{server}.pstats"
        if not path.exists():
            continue
        busy, groups, own = profile_rows(path)
        shares = ", ".join(f"{name} {t / busy:.0%}" for name, t in sorted(groups.items(), key=lambda kv: -kv[1]))
        lines += [f"**{server}** — busy {busy:.2f} s under the profiler: {shares}.", "",
                  "| own time | share of busy | calls | server-code function |", "| --- | --- | --- | --- |"]
        lines += [f"| {tt:.3f} s | {tt / busy:.1%} | {calls} | `{name}` |" for tt, calls, name in own]
        lines.append("")
    return lines


def figures_markdown(results: dict, capacity: dict | None, plot_rel: str, profiles: Path | None = None) -> str:
    m = results["machine"]
    stamps = sorted([w["measured_at"] for w in results["workloads"].values() if "measured_at" in w]
                    + [results["started"], results.get("finished", results["started"])])
    parts = [BEGIN, "",
             f"Measured {stamps[0]} – {stamps[-1]} UTC (last session {results['started']}), Python {m['python']}, "
             f"{m['cpus']} CPUs, load average at the last session's start {m['loadavg_start'][0]:.2f} and end "
             f"{m.get('loadavg_end', [math.nan])[0]:.2f} (shared machine).",
             ""]
    if results.get("skipped_servers"):
        parts += [f"Skipped: {results['skipped_servers']}", ""]
    parts += ["### Targets", "", *targets_table(results), "",
              "### Side by side (median per op; ratios = median of paired per-round time ratios, (q1–q3))", "",
              *workload_table(results["workloads"]), "",
              "### Core dispatch, no socket (median µs per message)", "", *dispatch_table(results.get("dispatch", [])), "",
              "### Latency distribution (one connection, interleaved chunks)", "", *latency_table(results.get("latency", {})), "",
              f"![latency distributions]({plot_rel})", ""]
    if capacity:
        parts += ["### Load at scale: connections held", "", *capacity_table(capacity), ""]
    if profiles is not None and any(profiles.glob("profile-*.pstats")):
        parts += ["### Profiles (cProfile, server process only, idle excluded)", "", *profiles_markdown(profiles)]
    parts.append(END)
    return "\n".join(parts)


def update_doc(doc: Path, section: str) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    doc.write_text(head + section + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("reports/perf"))
    parser.add_argument("--doc", type=Path, default=Path("docs/PERFORMANCE.md"))
    parser.add_argument("--plot", type=Path, default=Path("docs/perf/latency.png"))
    args = parser.parse_args(argv)
    results = json.loads((args.results / "results.json").read_text(encoding="utf-8"))
    cap_path = args.results / "capacity.json"
    capacity = json.loads(cap_path.read_text(encoding="utf-8")) if cap_path.exists() else None
    plot(results, capacity, args.plot)
    rel = args.plot.relative_to(args.doc.parent) if args.plot.is_relative_to(args.doc.parent) else args.plot
    update_doc(args.doc, figures_markdown(results, capacity, str(rel), args.results))
    print(f"{args.doc}: figures updated; plot {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
