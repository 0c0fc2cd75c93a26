"""Legacy trading WebSocket API server (the monolith under refactoring)."""

from legacy.websocket_server import WebSocketAPIServer

__all__ = ["WebSocketAPIServer"]
