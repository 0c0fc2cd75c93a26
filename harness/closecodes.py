"""Close codes that can be sent in a close frame."""

from __future__ import annotations

import contextlib
from typing import Any

_UNSENDABLE = {1005: None, 1006: 1011, 1015: 1011}


def sendable(code: int | None) -> int | None:
    """A code valid in a close frame; None means an empty close frame (1005)."""
    return _UNSENDABLE.get(code, code) if code is not None else None


async def close_with(ws: Any, code: int | None, reason: str = "") -> None:
    """Close `ws` with `code` as well as the protocol allows; never raises."""
    code = sendable(code)
    with contextlib.suppress(Exception):
        if code is None:
            await ws.close(None)
        else:
            await ws.close(code, reason if code else "")
