"""A tiny WebSocket server run as a `cmd:` target: `python cmd_server.py --port P [MODE]`.

Replies to each text frame with JSON: the connection's message count in this process (so a
fresh process starts at 1), the settings from WSGM_SETTINGS and WSGM_EXTRA. MODE misbehaves:
exit (exits at once), silent (never listens), die (exits on the 2nd message), stubborn (ignores
SIGTERM and leaves a grandchild that ignores it too).
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys

from websockets.asyncio.server import serve

COUNT = {"messages": 0}
SETTINGS = json.loads(os.environ.get("WSGM_SETTINGS", "{}"))


async def handler(ws) -> None:
    async for message in ws:
        COUNT["messages"] += 1
        if MODE == "die" and COUNT["messages"] == 2:
            print("dying on message 2", file=sys.stderr, flush=True)
            os._exit(3)
        if message == "close-4001":
            await ws.close(4001, "asked to")
            return
        reply = {"n": COUNT["messages"], "settings": SETTINGS, "extra": os.environ.get("WSGM_EXTRA"),
                 "header": ws.request.headers.get("X-Probe")}
        await ws.send(json.dumps(reply))


def stubborn() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    subprocess.Popen([sys.executable, "-c", child])


async def main(host: str, port: int) -> None:
    if MODE == "silent":
        print("starting, but never listening", flush=True)
        await asyncio.sleep(60)
    if MODE == "stubborn":
        stubborn()
    async with serve(handler, host, port, ping_interval=None):
        print(f"listening on {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("mode", nargs="?", default="")
    options = parser.parse_args()
    MODE = options.mode
    if MODE == "exit":
        print("cannot start: no configuration", file=sys.stderr, flush=True)
        raise SystemExit(7)
    asyncio.run(main(options.host, options.port))
