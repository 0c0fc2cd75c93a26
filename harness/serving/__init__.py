"""Targets the harness starts as processes: `cmd:` commands and `asgi:` apps."""
