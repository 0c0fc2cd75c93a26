"""One server instance for the cluster figures, controlled over stdin (a child process).

``python -m loadtests.cluster_instance TARGET SETTINGS_JSON`` serves TARGET (``loadtests.serve``'s
names) on a free loopback port with the load settings merged under SETTINGS_JSON, prints
``listening ws://127.0.0.1:PORT/`` and answers one JSON line per command line:

- ``broadcast SEQ``: ``broadcast_to_subscribers`` of the bench stream with ``seq``; answers
  ``{"start": perf_counter at the call, "call": seconds inside it, "reached": its value}``;
- ``stop``: stops the server (bounded) and exits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time

from benchmarks.targets import TARGETS, raise_fd_limit
from harness.gates.targets import load_class
from loadtests.serve import LOAD_SETTINGS
from subject_trading.rig import STREAM, SYMBOL

MAX_CONNECTIONS = 1_000_000
HEARTBEAT = 30.0


async def broadcast(server, seq: int) -> dict:
    start = time.perf_counter()
    reached = await server.broadcast_to_subscribers(STREAM, {"symbol": SYMBOL, "price": 100.0, "seq": seq})
    return {"start": start, "call": time.perf_counter() - start, "reached": reached}


async def serve(target: str, settings: dict) -> None:
    server = load_class(TARGETS[target])(settings={**LOAD_SETTINGS, **settings}, host="127.0.0.1", port=0,
                                         max_connections=MAX_CONNECTIONS, heartbeat_interval=HEARTBEAT)
    await asyncio.wait_for(server.start(), 30)
    print(f"listening ws://127.0.0.1:{server.port}/", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := (await reader.readline()).decode().split():
            if line[0] == "broadcast":
                print(json.dumps(await broadcast(server, int(line[1]))), flush=True)
            elif line[0] == "stop":
                break
    finally:
        await asyncio.wait_for(server.stop(), 30)


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    raise_fd_limit()
    asyncio.run(serve(argv[0], json.loads(argv[1])))


if __name__ == "__main__":
    main(sys.argv[1:])
