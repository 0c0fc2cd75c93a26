from legacy.websocket_server import WebSocketAPIServer as WebSocketAPIServer  # re-export

__all__ = ["WebSocketAPIServer"]
