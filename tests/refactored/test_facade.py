"""The package's public face matches the legacy server's API."""

import inspect

import refactored
from legacy.websocket_server import WebSocketAPIServer as Legacy


def test_all():
    assert refactored.__all__ == ["WebSocketAPIServer"]


def test_same_constructor_signature_as_legacy():
    ours = inspect.signature(refactored.WebSocketAPIServer.__init__).parameters
    theirs = inspect.signature(Legacy.__init__).parameters
    assert [(p.name, p.default) for p in ours.values()] == [(p.name, p.default) for p in theirs.values()]


def test_public_methods():
    for name in ("start", "stop", "broadcast_to_subscribers", "health_check", "__aenter__", "__aexit__"):
        assert inspect.iscoroutinefunction(getattr(refactored.WebSocketAPIServer, name))
    assert not inspect.iscoroutinefunction(refactored.WebSocketAPIServer.get_stats)
