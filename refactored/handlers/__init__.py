"""Message handlers, one module per domain; :func:`build_handler_table` collects their specs."""

from __future__ import annotations

from refactored.core.dispatch import HandlerTable
from refactored.handlers import auth, collections, protocol, sessions, strategies, subscriptions

MODULES = (protocol, auth, subscriptions, sessions, collections, strategies)
SPECS = tuple(spec for module in MODULES for spec in module.SPECS)
MESSAGE_TYPES = tuple(spec.type for spec in SPECS)


def build_handler_table() -> HandlerTable:
    """The table of every message type the server answers."""
    return HandlerTable(SPECS)
