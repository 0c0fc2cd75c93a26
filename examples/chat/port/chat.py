"""The chat protocol without sockets: frames in, (connection, frame) pairs out.

Each `op` has one handler in `HANDLERS`; a handler checks its fields through `need`, which
raises `Refused` (one error builder: `error_frame`), and returns what to send to whom.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Hashable

from port.wire import NotJson, dumps, js_length, parse, safe_integer

NAME = re.compile(r"[a-z0-9_-]{1,24}")
DEFAULT_SETTINGS = {"max_text": 200, "history": 50}
DEFAULT_HISTORY_LIMIT = 10
MAX_HISTORY_LIMIT = 100
MAX_REF_LENGTH = 64

Conn = Hashable
Out = list[tuple[Conn, dict[str, Any]]]


class Refused(Exception):
    """A request that gets an error frame: `code` and human `message`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def need(condition: bool, code: str, message: str) -> None:
    if not condition:
        raise Refused(code, message)


def error_frame(code: str, message: str) -> dict[str, Any]:
    return {"op": "error", "code": code, "message": message}


def with_ref(frame: dict[str, Any], msg: dict[str, Any]) -> dict[str, Any]:
    """The reply carries the request's `ref` when it is a short string or a safe integer."""
    ref = msg.get("ref")
    if isinstance(ref, str) and js_length(ref) <= MAX_REF_LENGTH or safe_integer(ref) is not None:
        frame["ref"] = ref
    return frame


def now() -> str:
    """`new Date().toISOString()`."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def round_2(value: float) -> float:
    """`Math.round(value * 100) / 100` for the non-negative values used here."""
    return int(value * 100 + 0.5) / 100


@dataclass
class Room:
    members: dict[Conn, str] = field(default_factory=dict)  # in joining order
    seq: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)

    def add(self, entry: dict[str, Any], keep: int) -> None:
        self.history.append(entry)
        del self.history[:-keep]

    def average_length(self) -> float:
        if not self.history:
            return 0
        return round_2(sum(js_length(m["text"]) for m in self.history) / len(self.history))


@dataclass
class Chat:
    """Every room and connection of one server."""

    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    rooms: dict[str, Room] = field(default_factory=dict)
    nicks: dict[Conn, str] = field(default_factory=dict)
    joined: dict[Conn, list[str]] = field(default_factory=dict)

    # --- connection events ----------------------------------------------------------------
    def connect(self, conn: Conn) -> Out:
        self.joined[conn] = []
        return [(conn, {"op": "hello", "server": "chat/1", "session": secrets.token_hex(8)})]

    def receive(self, conn: Conn, text: str | None) -> Out:
        """One frame from `conn` (None for a binary frame)."""
        msg: dict[str, Any] = {}
        try:
            need(text is not None, "binary", "binary frames are not supported")
            msg = _object(text)
            return self.handle(conn, msg)
        except Refused as refused:
            return [(conn, with_ref(error_frame(refused.code, refused.message), msg))]

    def disconnect(self, conn: Conn) -> Out:
        out: Out = []
        for name in list(self.joined.get(conn, [])):
            out += self.leave_room(conn, name)
        self.joined.pop(conn, None)
        self.nicks.pop(conn, None)
        return out

    # --- requests -------------------------------------------------------------------------
    def handle(self, conn: Conn, msg: dict[str, Any]) -> Out:
        op = msg.get("op")
        need(isinstance(op, str), "missing_field", "op is required")
        need(op in HANDLERS, "unknown_op", f"unknown op {op}")
        return getattr(self, HANDLERS[op])(conn, msg)

    def reply(self, conn: Conn, msg: dict[str, Any], frame: dict[str, Any]) -> Out:
        return [(conn, with_ref(frame, msg))]

    def broadcast(self, room: Room, sender: Conn, frame: dict[str, Any]) -> Out:
        return [(member, frame) for member in room.members if member != sender]

    def leave_room(self, conn: Conn, name: str) -> Out:
        room = self.rooms[name]
        nick = room.members.pop(conn)
        self.joined[conn].remove(name)
        presence = {"op": "presence", "room": name, "nick": nick, "event": "leave", "count": len(room.members)}
        return self.broadcast(room, conn, presence)

    def member_room(self, conn: Conn, msg: dict[str, Any]) -> str:
        room = _string(msg, "room")
        need(room in self.joined[conn], "not_in_room", f"not in {room}")
        return room

    def existing_room(self, msg: dict[str, Any]) -> tuple[str, Room]:
        name = _string(msg, "room")
        need(name in self.rooms, "no_such_room", f"no room {name}")
        return name, self.rooms[name]

    def on_nick(self, conn: Conn, msg: dict[str, Any]) -> Out:
        nick = _string(msg, "nick")
        need(NAME.fullmatch(nick) is not None, "bad_name", "nick must be 1-24 of a-z, 0-9, _ and -")
        taken = any(other != conn and held == nick for other, held in self.nicks.items())
        need(not taken, "nick_taken", f"nick {nick} is taken")
        need(not self.joined[conn], "in_rooms", "leave every room before changing nick")
        self.nicks[conn] = nick
        return self.reply(conn, msg, {"op": "nick", "nick": nick})

    def on_join(self, conn: Conn, msg: dict[str, Any]) -> Out:
        name = _string(msg, "room")
        need(NAME.fullmatch(name) is not None, "bad_name", "room must be 1-24 of a-z, 0-9, _ and -")
        need(conn in self.nicks, "no_nick", "choose a nick first")
        room = self.rooms.setdefault(name, Room())
        need(conn not in room.members, "already_in_room", f"already in {name}")
        room.members[conn] = self.nicks[conn]
        self.joined[conn].append(name)
        joined = {"op": "joined", "room": name, "members": list(room.members.values()), "seq": room.seq}
        presence = {"op": "presence", "room": name, "nick": self.nicks[conn], "event": "join",
                    "count": len(room.members)}
        return self.reply(conn, msg, joined) + self.broadcast(room, conn, presence)

    def on_leave(self, conn: Conn, msg: dict[str, Any]) -> Out:
        name = self.member_room(conn, msg)
        out = self.leave_room(conn, name)
        return out + self.reply(conn, msg, {"op": "left", "room": name})

    def posted(self, name: str, seq: int, text: str) -> dict[str, Any]:
        """The reply to a post: room, sequence number, the text's length in UTF-16 code units."""
        return {"op": "posted", "room": name, "seq": seq, "length": js_length(text)}

    def on_post(self, conn: Conn, msg: dict[str, Any]) -> Out:
        _string(msg, "room")
        text = _string(msg, "text")
        name = self.member_room(conn, msg)
        length, limit = js_length(text), self.settings["max_text"]
        need(length > 0, "empty_text", "text is empty")
        need(length <= limit, "text_too_long", f"text is {length} long, the limit is {limit}")
        room = self.rooms[name]
        room.seq += 1
        entry = {"seq": room.seq, "from": self.nicks[conn], "text": text, "at": now()}
        room.add(entry, self.settings["history"])
        message = {"op": "message", "room": name, **entry}
        return self.reply(conn, msg, self.posted(name, room.seq, text)) + self.broadcast(room, conn, message)

    def on_members(self, conn: Conn, msg: dict[str, Any]) -> Out:
        name, room = self.existing_room(msg)
        return self.reply(conn, msg, {"op": "members", "room": name, "members": list(room.members.values())})

    def on_history(self, conn: Conn, msg: dict[str, Any]) -> Out:
        name, room = self.existing_room(msg)
        limit = DEFAULT_HISTORY_LIMIT
        if "limit" in msg:
            limit = safe_integer(msg["limit"]) or 0
            need(1 <= limit <= MAX_HISTORY_LIMIT, "bad_field", "limit must be an integer from 1 to 100")
        return self.reply(conn, msg, {"op": "history", "room": name, "messages": room.history[-limit:]})

    def on_rooms(self, conn: Conn, msg: dict[str, Any]) -> Out:
        rooms = [{"name": name, "members": len(room.members), "messages": room.seq,
                  "average_length": room.average_length()}
                 for name, room in sorted(self.rooms.items())]
        return self.reply(conn, msg, {"op": "rooms", "rooms": rooms})


def _object(text: str | None) -> dict[str, Any]:
    try:
        msg = parse(text or "")
    except NotJson:
        raise Refused("bad_json", "not JSON") from None
    need(isinstance(msg, dict), "bad_json", "not a JSON object")
    return msg


def _string(msg: dict[str, Any], key: str) -> str:
    value = msg.get(key)
    need(isinstance(value, str), "missing_field", f"{key} is required")
    return value


# op -> the Chat method that handles it: (conn, msg) -> Out
HANDLERS = {
    "nick": "on_nick",
    "join": "on_join",
    "leave": "on_leave",
    "post": "on_post",
    "members": "on_members",
    "history": "on_history",
    "rooms": "on_rooms",
}


def encode(out: Out) -> list[tuple[Conn, str]]:
    """The frames as the legacy writes them."""
    return [(conn, dumps(frame)) for conn, frame in out]
