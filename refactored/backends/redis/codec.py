"""How values that live in Redis are written: JSON text, with a message id of any JSON type."""

from __future__ import annotations

import json
from typing import Any

from refactored.core.context import Principal
from refactored.lifecycle.ports import Snapshot


def dump_snapshot(snapshot: Snapshot) -> str:
    """A saved session as JSON (the user's name and permissions, the subscriptions)."""
    user = snapshot.user
    return json.dumps({"user": None if user is None else [user.username, list(user.permissions)],
                       "subscriptions": {stream: list(symbols) for stream, symbols in snapshot.subscriptions.items()}})


def load_snapshot(text: str | bytes) -> Snapshot:
    """The :class:`Snapshot` written by :func:`dump_snapshot`."""
    data = json.loads(text)
    user = data["user"]
    return Snapshot(None if user is None else Principal(user[0], tuple(user[1])),
                    {stream: tuple(symbols) for stream, symbols in data["subscriptions"].items()})


def message_key(message_id: Any) -> str:
    """A message id as a Redis member: its JSON text, so 5 and "5" stay apart."""
    return json.dumps(message_id)
