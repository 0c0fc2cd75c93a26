from legacy import websocket_server
from legacy import websocket_server as server_module


def classes():
    return (
        websocket_server.WebSocketAPIServer,
        server_module.WebSocketAPIServer,
    )
