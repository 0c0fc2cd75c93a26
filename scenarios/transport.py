"""The transport itself: a client that offers no compression gets the server's own frame encoding."""

import json
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import ask  # noqa: E402
from harness.scenario import scenario  # noqa: E402

# Payload lengths at the edges of RFC 6455's three length encodings (7-bit, 16-bit, 64-bit).
FRAME_SIZES = (125, 126, 65535, 65536)


def _size(reply: dict) -> int:
    """The byte length of a reply frame (the servers write ``json.dumps`` text, ASCII only)."""
    return len(json.dumps(reply))


@scenario(name="uncompressed_frames", tags=["protocol", "transport"])
async def uncompressed_frames(s):
    """a client without permessage-deflate: welcome, pong and echo replies of exactly 125, 126, 65535
    and 65536 bytes (the edges of the 7-bit, 16-bit and 64-bit length encodings), then a compressing
    client beside it"""
    plain = await s.connect("c1", deflate=False)
    await plain.recv()
    await ask(plain, {"type": "ping", "id": 1})
    empty = _size(await ask(plain, {"type": "echo", "data": ""}))
    for size in FRAME_SIZES:
        reply = await ask(plain, {"type": "echo", "data": "x" * (size - empty)})
        assert _size(reply) == size, (_size(reply), size)
    deflating = await s.connect("c2")
    await deflating.recv()
    await ask(deflating, {"type": "echo", "data": "y" * 200})
    await ask(plain, {"type": "echo", "data": "z" * 200})
