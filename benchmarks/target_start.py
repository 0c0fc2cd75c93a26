"""Start cost of each target form: how long a fresh server takes per recording (per replay).

Times `running()` from the call to a ready server (start) and from leaving it to a stopped one
(stop), interleaving the forms round by round so machine load falls on all of them alike. The
servers are the tiny ones of the harness tests: a websockets server class (in process), the same
kind of server as a Python script (`cmd:`) and a Starlette app (`asgi:`).

    python -m benchmarks.target_start [--rounds 30] [--json reports/perf/target_start.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from harness.config import HarnessConfig, Timeouts
from harness.targets import parse_target, running

SERVERS = Path(__file__).resolve().parent.parent / "tests" / "harness"
FORMS = {
    "module:Class": "harness_servers:EchoServer",
    "cmd: (python script)": f"cmd:{sys.executable} {SERVERS / 'target_servers' / 'cmd_server.py'} --port {{port}}",
    "asgi: (starlette)": "asgi:target_servers.asgi_app:app",
}


async def one(spec, timeouts: Timeouts) -> tuple[float, float]:
    began = time.perf_counter()
    async with running(spec, {}, timeouts):
        ready = time.perf_counter()
    return ready - began, time.perf_counter() - ready


async def measure(rounds: int) -> dict[str, dict[str, float]]:
    sys.path.insert(0, str(SERVERS))
    timeouts = Timeouts(start=30.0)
    specs = {name: parse_target(value, HarnessConfig()) for name, value in FORMS.items()}
    for spec in specs.values():  # warm-up: imports, the asgi fork server
        await one(spec, timeouts)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in specs}
    for _ in range(rounds):
        for name, spec in specs.items():
            samples[name].append(await one(spec, timeouts))
    return {name: _figures(values) for name, values in samples.items()}


def _figures(values: list[tuple[float, float]]) -> dict[str, float]:
    starts = sorted(v[0] for v in values)
    stops = sorted(v[1] for v in values)
    return {
        "rounds": len(values),
        "start_median_ms": round(statistics.median(starts) * 1000, 1),
        "start_p90_ms": round(starts[int(0.9 * (len(starts) - 1))] * 1000, 1),
        "stop_median_ms": round(statistics.median(stops) * 1000, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", type=Path)
    options = parser.parse_args(argv)
    figures = asyncio.run(measure(options.rounds))
    print("| form | start median (ms) | start p90 (ms) | stop median (ms) |")
    print("| --- | ---: | ---: | ---: |")
    for name, f in figures.items():
        print(f"| {name} | {f['start_median_ms']} | {f['start_p90_ms']} | {f['stop_median_ms']} |")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
