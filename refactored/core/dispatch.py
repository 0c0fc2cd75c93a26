"""Dispatch: a registry from message type to a handler spec, and one pipeline.

Every request goes through the same steps, in this order::

    look up spec -> check connection state -> authorise (authentication,
    permission) -> validate (required fields, then each declared field)
    -> handle -> reply

A spec *declares* what a handler needs; the dispatcher enforces it, so a
handler does only its job.  The table is built once; client strings are
only ever used as keys into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from refactored.core.context import Connection
from refactored.core.errors import (
    AuthenticationRequired,
    InsufficientPermissions,
    InvalidMessage,
    InvalidMessageType,
)
from refactored.core.schema import Param, read_all, require
from refactored.core.state import LIVE_STATES, ConnectionState


@dataclass(slots=True)
class Request:
    """One authorised, validated request on its way through a handler."""

    conn: Connection
    message: dict[str, Any]
    params: dict[str, Any]
    now: float
    app: Any
    effects: list[Any] = field(default_factory=list)


Handler = Callable[[Request], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """What a message type needs before its handler may run."""

    type: str
    handler: Handler
    auth: bool = False
    permission: str | None = None
    required: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    states: frozenset[ConnectionState] = LIVE_STATES

    def authorise(self, conn: Connection) -> None:
        """Raise unless ``conn`` may use this message type."""
        if not self.auth:
            return
        if conn.user is None:
            raise AuthenticationRequired("Authentication required")
        if self.permission is not None and not conn.user.can(self.permission):
            raise InsufficientPermissions(f"Permission required: {self.permission}")

    def validate(self, message: dict[str, Any]) -> dict[str, Any]:
        """Required fields first (all reported together), then each field's check."""
        if not (self.required or self.params):
            return {}
        require(message, self.required)
        return read_all(self.params, message)


class Registry:
    """Message type (lower case) to :class:`HandlerSpec`, fixed after construction."""

    def __init__(self, specs: Iterable[HandlerSpec]) -> None:
        table: dict[str, HandlerSpec] = {}
        for spec in specs:
            if spec.type in table:
                raise ValueError(f"message type registered twice: {spec.type}")
            table[spec.type] = spec
        self._table = table

    def __contains__(self, message_type: object) -> bool:
        return message_type in self._table

    def types(self) -> list[str]:
        """Registered message types, in registration order."""
        return list(self._table)

    def lookup(self, message: dict[str, Any]) -> HandlerSpec:
        """The spec for ``message['type']`` (matched case-insensitively)."""
        message_type = message.get("type")
        if message_type is None:
            raise InvalidMessage("Missing message type")
        if not isinstance(message_type, str):
            raise InvalidMessage("Message type must be a string")
        spec = self._table.get(message_type.lower())
        if spec is None:
            raise InvalidMessageType("Unknown message type")
        return spec


class Dispatcher:
    """Runs the pipeline for one message against a fixed registry."""

    def __init__(self, registry: Registry, app: Any) -> None:
        self.registry = registry
        self._app = app

    def dispatch(self, conn: Connection, message: dict[str, Any], now: float) -> tuple[Request, dict[str, Any]]:
        """Authorise, validate and handle ``message``; return the request and its reply."""
        spec = self.registry.lookup(message)
        if conn.state not in spec.states:
            raise InvalidMessage(f"Not allowed while {conn.state.value}")
        spec.authorise(conn)
        request = Request(conn, message, spec.validate(message), now, self._app)
        return request, spec.handler(request)
