import compat as websocket_server
import compat as server_module


def classes():
    return (
        websocket_server.WebSocketAPIServer,
        server_module.WebSocketAPIServer,
    )
