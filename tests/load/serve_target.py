"""Child process for load tests: serve TARGET with SETTINGS; stdin commands `stats` and `stop`."""

import asyncio
import importlib
import json
import logging
import resource
import sys


async def main(target: str, settings: dict, max_connections: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(65536, hard), hard))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    module, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    server = cls(settings=settings, host="127.0.0.1", port=0, max_connections=max_connections)
    await server.start()
    print(json.dumps({"port": server.port}), flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        if line == "stats":
            print(json.dumps({"stats": server.get_stats()}), flush=True)
        elif line == "stop":
            await asyncio.wait_for(server.stop(), 15)
            print(json.dumps({"stopped": True}), flush=True)
            return
    await server.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])))
