def lazy():
    from legacy.websocket_server import (
        WebSocketAPIServer,  # trailing comment kept
    )

    return WebSocketAPIServer
