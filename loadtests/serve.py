"""Run one server standalone for load tests: ``python -m loadtests.serve legacy --port 8765``.

The per-IP rate limit is lifted by default (every load client shares 127.0.0.1); pass
``--settings '{...}'`` to override any server setting. Prints ``listening ws://HOST:PORT/``
once it accepts connections, and stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import signal
import sys

from benchmarks.targets import TARGETS, raise_fd_limit
from harness.gates.targets import load_class

LOAD_SETTINGS = {"rate_limit": 10**9}
FREEZE_EVERY = 5.0


async def _freeze_periodically() -> None:
    while True:
        await asyncio.sleep(FREEZE_EVERY)
        gc.freeze()


GC_MODES = {"default": lambda: None, "off": gc.disable,
            "freeze": lambda: asyncio.get_running_loop().create_task(_freeze_periodically())}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loadtests.serve", description="run one server for load tests")
    parser.add_argument("target", choices=sorted(TARGETS), help="which server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--max-connections", type=int, default=100_000)
    parser.add_argument("--heartbeat", type=float, default=30.0, help="server keepalive ping interval (s)")
    parser.add_argument("--settings", default="{}", help="JSON object merged over the load settings")
    parser.add_argument("--gc", choices=sorted(GC_MODES), default="default",
                        help="server process garbage collector, for experiments: 'off', or 'freeze' (gc.freeze() every 5 s)")
    return parser


async def serve(args: argparse.Namespace) -> None:
    settings = {**LOAD_SETTINGS, **json.loads(args.settings)}
    server = load_class(TARGETS[args.target])(settings=settings, host=args.host, port=args.port,
                                              max_connections=args.max_connections,
                                              heartbeat_interval=args.heartbeat)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    gc_task = GC_MODES[args.gc]()
    try:
        print(f"listening ws://{args.host}:{server.port}/", flush=True)
        await stop.wait()
    finally:
        if isinstance(gc_task, asyncio.Task):
            gc_task.cancel()
        await asyncio.wait_for(server.stop(), 30)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        json.loads(args.settings)
    except ValueError as exc:
        print(f"--settings: not JSON: {exc}", file=sys.stderr)
        return 2
    raise_fd_limit()
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
