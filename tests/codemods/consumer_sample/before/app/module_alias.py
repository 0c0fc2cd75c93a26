import os
import legacy.websocket_server as ws


def make():
    return ws.WebSocketAPIServer(host=os.environ.get("HOST", "localhost"))
