"""cProfile of each server under the benchmark mix, the server alone in its own process.

``python -m benchmarks.profile`` starts, for each server, ``python -m cProfile -o
<out>/profile-<server>.pstats -m benchmarks.profile --serve <server>`` (the server on its own
loop and process, nothing else profiled), drives it from this process with 100 logged-in,
subscribed clients (round trips of ping / login / subscribe, pipelined pings, waves over 100
connections) and 300 broadcasts to the 100 subscribers (asked for on the server's stdin), then
stops it. Writes the ``.pstats`` (open with ``python -m pstats`` or snakeviz) and
``profile-<server>.txt`` (top functions by own time and by cumulative time, idle time in
``epoll`` excluded from the shares).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import pstats
import signal
import subprocess
import sys
from pathlib import Path

from subject_trading.rig import BENCH_SETTINGS, STREAM, SYMBOL, Rig, recv_json
from harness.gates.targets import load_class

from benchmarks.targets import TARGETS, connect_clients, raise_fd_limit
from benchmarks.workloads import concurrent, logins, pipelined, round_trips, subscriptions

ROOT = Path(__file__).resolve().parent.parent
MIX = ((round_trips, 2000), (logins, 500), (subscriptions, 500), (pipelined, 5000), (concurrent, 100))
BROADCASTS = 300
CLIENTS = 100
IDLE = "of 'select.epoll' objects>"


# -- the profiled server process ------------------------------------------------------------

async def _serve(name: str) -> None:
    server = load_class(TARGETS[name])(settings=dict(BENCH_SETTINGS), host="127.0.0.1", port=0,
                                       heartbeat_interval=3600, max_connections=1000)
    await server.start()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(f"listening ws://127.0.0.1:{server.port}/", flush=True)
    try:
        while line := await reader.readline():
            seq = int(line.split()[1])
            await server.broadcast_to_subscribers(STREAM, {"symbol": SYMBOL, "price": 100.0, "seq": seq})
    finally:
        await server.stop()


# -- the driver -----------------------------------------------------------------------------

async def _drive(proc: subprocess.Popen, url: str) -> None:
    clients = await connect_clients(url, CLIENTS, ("viewer", "viewer123"))
    try:
        rig = Rig("profiled", None, tuple(clients))
        for work, n in MIX:
            await work(rig, n)
        for seq in range(BROADCASTS):
            proc.stdin.write(f"b {seq}\n")
            proc.stdin.flush()
            await asyncio.gather(*(recv_json(ws) for ws in clients))
    finally:
        await asyncio.gather(*(ws.close() for ws in clients), return_exceptions=True)


def top_text(path: Path, top: int = 25) -> str:
    """Top functions by own and by cumulative time, with shares of the busy (non-idle) time."""
    stats = pstats.Stats(str(path))
    idle = sum(v[2] for k, v in stats.stats.items() if IDLE in k[2])
    busy = stats.total_tt - idle
    out = io.StringIO()
    out.write(f"busy {busy:.3f} s (total {stats.total_tt:.3f} s, idle in epoll {idle:.3f} s)\n\n")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)
    out.write("own time   share  calls    function\n")
    for (file, line, func), (_, calls, tt, ct, _) in [r for r in rows if IDLE not in r[0][2]][:top]:
        out.write(f"{tt:8.3f}s {tt / busy:6.1%} {calls:8d}  {Path(file).name}:{line}({func})\n")
    out.write("\n")
    stream = io.StringIO()
    pstats.Stats(str(path), stream=stream).strip_dirs().sort_stats("cumulative").print_stats(top)
    out.write(stream.getvalue())
    return out.getvalue()


def profile_server(name: str, out: Path) -> Path:
    """Profile ``name``'s process under the mix; return the text report."""
    out.mkdir(parents=True, exist_ok=True)
    pstats_path = out / f"profile-{name}.pstats"
    command = [sys.executable, "-m", "cProfile", "-o", str(pstats_path), "-m", "benchmarks.profile", "--serve", name]
    proc = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = proc.stdout.readline()
        if not line.startswith("listening"):
            raise RuntimeError(f"{name}: profiled server did not start: {line!r}")
        asyncio.run(_drive(proc, line.split()[1]))
    finally:
        proc.stdin.close()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
    text_path = out / f"profile-{name}.txt"
    text_path.write_text(top_text(pstats_path), encoding="utf-8")
    return text_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--servers", nargs="+", default=["legacy", "refactored", "echo"])
    parser.add_argument("--out", type=Path, default=Path("reports/perf"))
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    raise_fd_limit()
    if args.serve:
        asyncio.run(_serve(args.serve))
        return 0
    for name in args.servers:
        print(profile_server(name, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
