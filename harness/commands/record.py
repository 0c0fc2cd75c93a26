"""`harness record --upstream URL --listen HOST:PORT --out FILE`: a recording proxy."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

from harness.commands.common import config_of
from harness.errors import HarnessError
from harness.proxy import recording_proxy
from harness.record import Recorder, new_meta
from harness.transcript import write


def register(subparsers) -> None:
    parser = subparsers.add_parser("record", help="record client sessions through a proxy")
    parser.add_argument("--upstream", required=True, help="ws://host:port of the server")
    parser.add_argument("--listen", default="127.0.0.1:9000", help="HOST:PORT to listen on")
    parser.add_argument("--out", required=True, type=Path, help="transcript to write (.jsonl)")
    parser.add_argument("--name", help="recording name (default: the file name)")
    parser.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    parser.add_argument(
        "--settings",
        type=_settings,
        default={},
        help="JSON object: the upstream's server settings, stored in meta",
    )
    parser.add_argument("--config", type=Path, default=Path("pyproject.toml"))
    parser.set_defaults(run=run)


def _settings(value: str) -> dict:
    try:
        settings = json.loads(value)
    except ValueError:
        settings = None
    if not isinstance(settings, dict):
        raise argparse.ArgumentTypeError("--settings must be a JSON object")
    return settings


def parse_listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise HarnessError(f"--listen {value!r}: want HOST:PORT")
    return host, int(port)


async def _serve(args: argparse.Namespace, recorder: Recorder) -> None:
    host, port = parse_listen(args.listen)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with recording_proxy(args.upstream, recorder, host, port) as proxy:
        print(f"recording {proxy.url} -> {args.upstream} into {args.out} (Ctrl-C to stop)", file=sys.stderr)
        try:
            await asyncio.wait_for(stop.wait(), args.duration)
        except asyncio.TimeoutError:
            pass


def run(args: argparse.Namespace) -> int:
    config = config_of(args)
    name = args.name or args.out.stem
    recorder = Recorder(
        new_meta(name, args.upstream, tuple(args.tag), args.settings), config.redact, config.fixtures
    )
    try:
        asyncio.run(_serve(args, recorder))
    except OSError as exc:
        raise HarnessError(f"cannot listen on {args.listen}: {exc}") from None
    write(recorder.transcript(), args.out)
    print(f"wrote {args.out}: {len(recorder.events)} lines", file=sys.stderr)
    return 0
