"""A fake server as a process of its own (a `cmd:` target): ``python gates_fake_command.py CLASS PORT``."""

import asyncio
import sys

import gates_fake_servers


async def serve(name: str, port: int) -> None:
    server = getattr(gates_fake_servers, name)(host="127.0.0.1", port=port)
    await server.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2])))
