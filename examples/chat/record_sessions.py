"""Re-make the example's recordings: real clients, through `harness record`, against the legacy.

    cd examples/chat && ../../.venv/bin/python record_sessions.py [NAME...]

For each session: start the Node server on a free port, start the recording proxy
(`harness record --upstream ... --listen ... --out recordings/NAME.jsonl`) in front of it, drive
the session's clients (websockets) through the proxy, stop the proxy (the transcript is written)
and the server. Each client waits for every frame a step causes before the next step, so the
recordings are deterministic.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

HERE = Path(__file__).resolve().parent
HARNESS = Path(sys.executable).with_name("harness")
WAIT = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_for_port(port: int, process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError(f"nothing listens on {port}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Client:
    """One WebSocket client of a session."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, frame: dict | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, (str, bytes)) else json.dumps(frame, ensure_ascii=False))

    async def recv(self) -> dict:
        return json.loads(await asyncio.wait_for(self.ws.recv(), WAIT))

    async def ask(self, frame: dict | str | bytes) -> dict:
        await self.send(frame)
        return await self.recv()

    async def close(self) -> None:
        await self.ws.close()


class Session:
    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: list[Client] = []

    async def connect(self) -> Client:
        client = Client(await connect(self.url, proxy=None, ping_interval=None))
        assert (await client.recv())["op"] == "hello"
        self.clients.append(client)
        return client

    async def named(self, nick: str, *rooms: str) -> Client:
        client = await self.connect()
        await client.ask({"op": "nick", "nick": nick})
        for room in rooms:
            await client.ask({"op": "join", "room": room})
        return client


# --- the sessions ---------------------------------------------------------------------------
async def nick_and_join(s: Session) -> None:
    c = await s.connect()
    await c.ask({"op": "nick", "nick": "ann", "ref": 1})
    await c.ask({"op": "join", "room": "lobby", "ref": 2})
    await c.ask({"op": "members", "room": "lobby", "ref": 3})
    await c.ask({"op": "rooms", "ref": 4})
    await c.ask({"op": "nick", "nick": "anna", "ref": 5})  # in a room: refused
    await c.ask({"op": "leave", "room": "lobby", "ref": 6})
    await c.ask({"op": "nick", "nick": "anna", "ref": 7})
    await c.ask({"op": "join", "room": "lobby", "ref": 8})
    await c.ask({"op": "rooms", "ref": 9})


async def broadcast_in_room(s: Session) -> None:
    ann = await s.named("ann", "lobby")
    bob = await s.connect()
    await bob.ask({"op": "nick", "nick": "bob"})
    await bob.ask({"op": "join", "room": "lobby", "ref": "j1"})
    await ann.recv()  # presence: bob joined
    cy = await s.named("cy", "lobby")
    await ann.recv(), await bob.recv()
    await ann.ask({"op": "post", "room": "lobby", "text": "hello all", "ref": 10})
    await bob.recv(), await cy.recv()
    await bob.ask({"op": "post", "room": "lobby", "text": "hi ann \U0001F44B", "ref": 11})
    await ann.recv(), await cy.recv()
    await cy.ask({"op": "join", "room": "side"})
    await cy.ask({"op": "post", "room": "side", "text": "quiet here"})
    await bob.ask({"op": "leave", "room": "lobby"})
    await ann.recv(), await cy.recv()
    await ann.ask({"op": "members", "room": "lobby"})
    await ann.ask({"op": "history", "room": "lobby"})
    await cy.ask({"op": "rooms"})


async def history_limits(s: Session) -> None:
    c = await s.named("ann", "notes")
    for n in range(12):
        await c.ask({"op": "post", "room": "notes", "text": f"note {n}" + "!" * n})
    await c.ask({"op": "history", "room": "notes", "ref": "default"})
    await c.ask({"op": "history", "room": "notes", "limit": 3, "ref": "three"})
    await c.ask('{"op":"history","room":"notes","limit":2.0,"ref":"two as float"}')
    await c.ask('{"op":"history","room":"notes","limit":1e0,"ref":"one as exponent"}')
    for limit in (0, 101, -1, 2.5, "5", None, True, [1]):
        await c.ask({"op": "history", "room": "notes", "limit": limit, "ref": f"bad {limit!r}"})
    await c.ask({"op": "history", "room": "nowhere"})
    await c.ask({"op": "rooms"})


async def bad_input(s: Session) -> None:
    c = await s.connect()
    for frame in ("{not json", "", "[1,2]", "42", "null", '"text"', '{"op":"nick","nick":NaN}',
                  "\ufeff{}", '{"op":"rooms"} trailing'):
        await c.ask(frame)
    await c.ask(b"\x00\x01binary")
    for frame in ({}, {"op": 7}, {"op": None, "ref": 1}, {"op": "dance", "ref": 2}, {"op": "Join", "room": "x"},
                  {"op": "nick"}, {"op": "nick", "nick": 5}, {"op": "nick", "nick": "Ann"}, {"op": "nick", "nick": ""},
                  {"op": "nick", "nick": "x" * 25}, {"op": "join", "room": "lobby"}, {"op": "join"},
                  {"op": "post", "room": "lobby", "text": "no nick yet"}, {"op": "leave", "room": "lobby"},
                  {"op": "members"}, {"op": "members", "room": "lobby"}, {"op": "history", "room": 3}):
        await c.ask(frame)
    await c.ask({"op": "nick", "nick": "ann"})
    for frame in ({"op": "join", "room": "bad room"}, {"op": "join", "room": "lobby"},
                  {"op": "join", "room": "lobby"}, {"op": "post", "room": "lobby"},
                  {"op": "post", "room": "lobby", "text": ""}, {"op": "post", "room": "lobby", "text": "y" * 201},
                  {"op": "post", "room": "lobby", "text": "y" * 200}, {"op": "post", "room": "elsewhere", "text": "x"},
                  {"op": "post", "text": "x"}, {"op": "leave", "room": "elsewhere"}):
        await c.ask(frame)
    other = await s.connect()
    await other.ask({"op": "nick", "nick": "ann", "ref": "taken"})
    await c.ask({"op": "nick", "nick": "ann", "ref": "own nick while in a room"})


async def refs(s: Session) -> None:
    c = await s.connect()
    for ref in (1, 0, -5, "r", "x" * 64, "x" * 65, 9007199254740991, 9007199254740992, None, True, [1], {"a": 1}):
        await c.ask(json.dumps({"op": "rooms", "ref": ref}))
    for text in ('{"op":"rooms","ref":1.0}', '{"op":"rooms","ref":1.5}', '{"op":"rooms","ref":-0}',
                 '{"op":"rooms","ref":1e2}', '{"op":"rooms","ref":1e400}', '{"op":"rooms","ref":"\\u00e9t\\u00e9"}',
                 '{"op":"rooms","ref":1,"ref":2}', ' {"op" : "rooms" ,\n"ref":\t3 } '):
        await c.ask(text)
    await c.ask({"op": "dance", "ref": "errors carry the ref too"})


async def unicode_text(s: Session) -> None:
    ann = await s.named("ann", "intl")
    bob = await s.named("bob", "intl")
    await ann.recv()
    texts = ["caf\u00e9 cr\u00e8me", "\u65e5\u672c\u8a9e", "\U0001F600\U0001F680 rocket", 'quote " and \\ back',
             "tab\tnew\nline", "bell\u0007 nul\u0000", "\u2028 separators \u2029", "\U0001F468\u200d\U0001F469"]
    for text in texts:
        await ann.ask({"op": "post", "room": "intl", "text": text})
        await bob.recv()
    await ann.ask('{"op":"post","room":"intl","text":"lone \\ud800 surrogate"}')
    await bob.recv()
    await ann.ask({"op": "post", "room": "intl", "text": "\U0001F600" * 100})  # 200 UTF-16 units: allowed
    await bob.recv()
    await ann.ask({"op": "post", "room": "intl", "text": "\U0001F600" * 100 + "!"})  # 201: too long
    await bob.ask({"op": "history", "room": "intl", "limit": 100})
    await bob.ask({"op": "rooms"})


async def disconnect_leaves_rooms(s: Session) -> None:
    ann = await s.named("ann", "one", "two")
    bob = await s.named("bob", "one", "two")
    await ann.recv(), await ann.recv()
    await bob.close()
    await ann.recv(), await ann.recv()  # presence: bob left both rooms
    await ann.ask({"op": "members", "room": "one"})
    cy = await s.connect()
    await cy.ask({"op": "nick", "nick": "bob", "ref": "freed"})
    await cy.ask({"op": "join", "room": "two"})
    await ann.recv()
    await ann.ask({"op": "rooms"})


async def rooms_listing(s: Session) -> None:
    ann = await s.named("ann", "a", "b", "c")
    bob = await s.named("bob", "b")
    await ann.recv()
    for room, text in (("a", "x"), ("a", "yy"), ("b", "x"), ("b", "x"), ("b", "yy"), ("c", "abc"), ("c", "abcd")):
        await ann.ask({"op": "post", "room": room, "text": text})
        if room == "b":
            await bob.recv()
    await bob.ask({"op": "join", "room": "empty"})
    await bob.ask({"op": "leave", "room": "empty"})
    await bob.ask({"op": "rooms"})
    await ann.ask({"op": "history", "room": "b", "limit": 2})


SESSIONS = {f.__name__: f for f in (nick_and_join, broadcast_in_room, history_limits, bad_input, refs,
                                    unicode_text, disconnect_leaves_rooms, rooms_listing)}


async def close_all(clients: list[Client]) -> None:
    """Close the clients one by one; after each close the others take what it caused (presence
    frames), so that no frame is left in flight when the recording ends."""
    for index, client in enumerate(clients):
        await client.close()
        for other in clients[index + 1:]:
            with contextlib.suppress(asyncio.TimeoutError, ConnectionClosed):
                while True:
                    await asyncio.wait_for(other.ws.recv(), 0.3)


async def record(name: str) -> None:
    server_port, proxy_port = free_port(), free_port()
    server = subprocess.Popen(["node", "legacy/server.js", "--port", str(server_port)], cwd=HERE,
                              stdout=subprocess.DEVNULL)
    recorder = None
    try:
        await wait_for_port(server_port, server)
        recorder = subprocess.Popen([str(HARNESS), "record", "--upstream", f"ws://127.0.0.1:{server_port}",
                                     "--listen", f"127.0.0.1:{proxy_port}", "--out", f"recordings/{name}.jsonl",
                                     "--tag", "chat"], cwd=HERE)
        await wait_for_port(proxy_port, recorder)
        session = Session(f"ws://127.0.0.1:{proxy_port}")
        await SESSIONS[name](session)
        await close_all(session.clients)
    finally:
        for process in filter(None, (recorder, server)):
            stop(process)
    print(f"recorded recordings/{name}.jsonl")


async def main(names: list[str]) -> None:
    unknown = set(names) - set(SESSIONS)
    if unknown:
        raise SystemExit(f"unknown sessions: {', '.join(sorted(unknown))}; known: {', '.join(SESSIONS)}")
    for name in names or SESSIONS:
        await record(name)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
