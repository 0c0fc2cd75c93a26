from compat import WebSocketAPIServer as WebSocketAPIServer  # re-export

__all__ = ["WebSocketAPIServer"]
