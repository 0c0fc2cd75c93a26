"""Mixes a bare module import with an aliased name import (RenameCommand breaks this)."""
import compat
from compat import WebSocketAPIServer as Server  # the class we run


def build(port: int):
    # keep this comment
    first = Server(port=port)
    second = compat.WebSocketAPIServer(port=port + 1)
    return first, second
