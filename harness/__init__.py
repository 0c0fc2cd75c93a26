"""Golden-master harness for WebSocket servers."""

__version__ = "0.1.0"
