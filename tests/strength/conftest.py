"""A tiny candidate package (`tinyws`) and a one-recording corpus for mutation runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from harness import transcript as wsgm
from harness.config import Timeouts
from harness.fuzz.model import SessionModel
from subject_trading.config import harness_config

FAST = harness_config(concurrency=2, timeouts=Timeouts(connect=2.0, frame=2.0, quiet=0.05, quiet_max=1.0,
                                                      recording=10.0, start=2.0, close=1.0))


@pytest.fixture
def fast():
    """Short harness timeouts for the tiny candidate."""
    return FAST

TINY_APP = '''"""Replies to JSON requests."""

import json

LIMIT = 1000


def reply(text):
    message = json.loads(text)
    if len(text) > LIMIT:
        return {"type": "error"}
    if message.get("type") == "ping":
        return {"type": "pong"}
    if message.get("type") == "never":
        return {"type": "never sent"}
    return {"type": "unknown"}
'''

TINY_SERVER = '''"""A tiny WebSocket server over `tinyws.app.reply`."""

import json

from websockets.asyncio.server import serve

from tinyws.app import reply


class Server:
    def __init__(self, settings=None, host="127.0.0.1", port=0, **_):
        self.host, self.port, self.listener = host, port, None

    async def handle(self, ws):
        async for text in ws:
            await ws.send(json.dumps(reply(text)))

    async def start(self):
        self.listener = await serve(self.handle, self.host, self.port)
        self.port = self.listener.sockets[0].getsockname()[1]

    async def stop(self):
        self.listener.close()
        await self.listener.wait_closed()
'''


@pytest.fixture
def tiny(tmp_path, monkeypatch) -> Path:
    """`tinyws` importable here and in worker processes; returns its `app.py`."""
    package = tmp_path / "pkgs" / "tinyws"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(TINY_APP)
    (package / "server.py").write_text(TINY_SERVER)
    monkeypatch.syspath_prepend(str(package.parent))
    root = str(Path(__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(package.parent), root]))
    yield package / "app.py"
    for name in [n for n in sys.modules if n == "tinyws" or n.startswith("tinyws.")]:
        del sys.modules[name]


@pytest.fixture
def ping_corpus(tmp_path) -> Path:
    model = SessionModel()
    client = model.connect()
    model.send(client, '{"type":"ping","id":1}')
    wsgm.write(model.transcript("ping_once"), tmp_path / "corpus" / "ping_once.jsonl")
    return tmp_path / "corpus"
