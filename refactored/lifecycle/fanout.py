"""The fan-out of a server that runs alone: nothing to relay, broadcast ids counted here."""

from __future__ import annotations

from typing import AsyncIterator

from refactored.core.effects import Publish, Push
from refactored.lifecycle.ports import Relayed


class LocalFanOut:
    """A :class:`~refactored.lifecycle.ports.FanOut` for one instance: there are no others."""

    def __init__(self) -> None:
        self._broadcasts = 0

    async def next_broadcast_id(self) -> int:
        """The next number of this server's ``broadcast:<n>`` message ids."""
        self._broadcasts += 1
        return self._broadcasts

    async def relay(self, effect: Push | Publish) -> None:
        """No other instance to tell."""

    async def broadcast(self, effect: Publish) -> int:
        """No other instance: no connection elsewhere got it."""
        return 0

    async def acknowledge(self, relayed: Relayed, written: int) -> None:
        """Nothing is ever relayed to a lone instance."""

    async def incoming(self) -> AsyncIterator[Relayed]:
        """Nothing: the iteration ends at once."""
        return
        yield  # an async generator that yields nothing

    async def close(self) -> None:
        """Nothing to release."""
