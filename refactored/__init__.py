"""The trading WebSocket API server, decomposed.

``from refactored import WebSocketAPIServer`` is a drop-in replacement for
``legacy.websocket_server.WebSocketAPIServer``.
"""

from refactored.server import WebSocketAPIServer

__all__ = ["WebSocketAPIServer"]
