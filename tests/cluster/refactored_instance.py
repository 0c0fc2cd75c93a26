"""The refactored server as a `cmd:` target: `python refactored_instance.py --port P`, its settings
from WSGM_SETTINGS (the Redis URL from WSGM_REDIS_URL when they name none); stops on SIGTERM."""

import argparse
import asyncio
import json
import os
import signal

from refactored import WebSocketAPIServer


async def main(port: int) -> None:
    server = WebSocketAPIServer(host="127.0.0.1", port=port, settings=json.loads(os.environ.get("WSGM_SETTINGS", "{}")))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await server.start()
    await stop.wait()
    await asyncio.wait_for(server.stop(), 10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
