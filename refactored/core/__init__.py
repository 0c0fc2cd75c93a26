"""The sans-I/O core: errors, messages, dispatch, connection state and health (no asyncio, no sockets)."""
