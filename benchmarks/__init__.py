"""Benchmarks of the trading WebSocket servers against a bare ``websockets`` echo server."""
