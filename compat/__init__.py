"""The import path consumers use: ``from compat import WebSocketAPIServer``.

``harness gate`` rewrites the import below and the two constants from its verdict: the candidate
when every gate passed, the legacy implementation otherwise. Edit them through the verdict.
"""

from refactored import WebSocketAPIServer

from compat._deprecation import warn_on_legacy_imports

EXPOSED = "refactored"
REASON = "all gates passed: golden, complexity, memory, bench, fuzz, api; figures in verdict.json"

warn_on_legacy_imports(EXPOSED)

__all__ = ["EXPOSED", "REASON", "WebSocketAPIServer"]
