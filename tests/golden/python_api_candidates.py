"""Candidates that differ from the refactored server only on its Python side."""

from __future__ import annotations

from typing import Any

from refactored import WebSocketAPIServer


class BroadcastsOneMore(WebSocketAPIServer):
    """`broadcast_to_subscribers` reports one client more than it reached."""

    async def broadcast_to_subscribers(self, stream: str, data: Any, exclude_client: str | None = None) -> int:
        return await super().broadcast_to_subscribers(stream, data, exclude_client) + 1


class StatsWithoutSubscriptions(WebSocketAPIServer):
    """`get_stats()` drops its `subscriptions` key."""

    def get_stats(self) -> dict[str, Any]:
        stats = super().get_stats()
        del stats["subscriptions"]
        return stats


class PublishesNothing(WebSocketAPIServer):
    """Takes an event bus but never publishes on it."""

    def __init__(self, event_bus: Any = None, **options: Any) -> None:
        super().__init__(**options)
