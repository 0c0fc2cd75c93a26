"""The port with one porting slip, to show what the golden master catches.

`SlippedChat` reports a posted text's length with Python's `len()` (code points) where the
legacy counts UTF-16 code units (`text.length`), so the `length` field of a `posted` reply is
wrong for any text with a character outside the Basic Multilingual Plane (an emoji).
"""

from __future__ import annotations

from port.app import create_app
from port.chat import Chat


class SlippedChat(Chat):
    def posted(self, name: str, seq: int, text: str) -> dict:
        return {"op": "posted", "room": name, "seq": seq, "length": len(text)}


app = create_app(SlippedChat)
