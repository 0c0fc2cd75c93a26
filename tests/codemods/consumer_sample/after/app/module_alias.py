import os
import compat as ws


def make():
    return ws.WebSocketAPIServer(host=os.environ.get("HOST", "localhost"))
