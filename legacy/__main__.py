"""Run the legacy trading WebSocket API server: ``python -m legacy --port 8765``."""

import argparse
import asyncio
import json
import logging
import signal
import sys

from legacy.websocket_server import WebSocketAPIServer


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m legacy", description="Legacy trading WebSocket API server")
    parser.add_argument("--host", default="localhost", help="interface to bind (default: localhost)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on, 0 picks a free one (default: 8765)")
    parser.add_argument("--jwt-secret", default=None, help="HS256 secret for access/refresh tokens")
    parser.add_argument("--max-connections", type=int, default=1000)
    parser.add_argument("--heartbeat-interval", type=float, default=30)
    parser.add_argument("--settings", default=None, metavar="JSON",
                        help='server settings as a JSON object, e.g. \'{"bar_interval": 0.5}\'')
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    if args.settings is not None:
        try:
            args.settings = json.loads(args.settings)
        except ValueError as e:
            parser.error(f"--settings: invalid JSON ({e})")
        if not isinstance(args.settings, dict):
            parser.error("--settings: must be a JSON object")
    return args


async def _serve(args):
    logger = logging.getLogger("legacy")
    server = WebSocketAPIServer(
        host=args.host,
        port=args.port,
        jwt_secret=args.jwt_secret,
        max_connections=args.max_connections,
        heartbeat_interval=args.heartbeat_interval,
        settings=args.settings,
        logger=logger,
    )
    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop_event.set)
        except (NotImplementedError, RuntimeError):
            pass
    await server.start()
    try:
        logger.info("Legacy WebSocket API server listening on ws://%s:%s", args.host, server.port)
        print(f"Listening on ws://{args.host}:{server.port}", flush=True)
        await stop_event.wait()
    finally:
        await server.stop()
        logger.info("Legacy WebSocket API server stopped")


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=getattr(logging, str(args.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
