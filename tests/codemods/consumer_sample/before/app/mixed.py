"""Mixes a bare module import with an aliased name import (RenameCommand breaks this)."""
import legacy.websocket_server
from legacy.websocket_server import WebSocketAPIServer as Server  # the class we run


def build(port: int):
    # keep this comment
    first = Server(port=port)
    second = legacy.websocket_server.WebSocketAPIServer(port=port + 1)
    return first, second
