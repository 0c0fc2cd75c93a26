"""The chat-rooms server ported to Python: an ASGI app with the legacy's exact wire behaviour."""
