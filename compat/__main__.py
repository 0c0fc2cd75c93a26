"""Serve whatever ``compat`` exposes: ``python -m compat --port 8765``.

The flags are those of ``python -m legacy``. It says which implementation it serves and why
(the shim's ``EXPOSED`` and ``REASON``), and stops cleanly on SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from typing import Any

import compat

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m compat",
                                     description="Serve the WebSocket API server that compat exposes")
    parser.add_argument("--host", default="localhost", help="interface to bind (default: localhost)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on, 0 picks a free one (default: 8765)")
    parser.add_argument("--jwt-secret", default=None, help="HS256 secret for access/refresh tokens")
    parser.add_argument("--max-connections", type=int, default=1000)
    parser.add_argument("--heartbeat-interval", type=float, default=30)
    parser.add_argument("--settings", type=_settings, default=None, metavar="JSON",
                        help='server settings as a JSON object, e.g. \'{"bar_interval": 0.5}\'')
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def _settings(text: str) -> dict[str, Any]:
    """``--settings``: a JSON object."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def serving_line() -> str:
    """Which implementation this serves, and the verdict that chose it."""
    cls = compat.WebSocketAPIServer
    return f"compat serves {compat.EXPOSED} ({cls.__module__}.{cls.__qualname__}): {compat.REASON}"


async def serve(args: argparse.Namespace) -> None:
    """Run the server until SIGINT or SIGTERM, then stop it."""
    server = compat.WebSocketAPIServer(
        host=args.host, port=args.port, jwt_secret=args.jwt_secret, max_connections=args.max_connections,
        heartbeat_interval=args.heartbeat_interval, settings=args.settings, logger=logging.getLogger("compat"),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    try:
        print(f"Listening on ws://{args.host}:{server.port}", flush=True)
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=getattr(logging, str(args.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(serving_line(), flush=True)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
