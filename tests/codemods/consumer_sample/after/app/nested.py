def lazy():
    from compat import (
        WebSocketAPIServer,  # trailing comment kept
    )

    return WebSocketAPIServer
