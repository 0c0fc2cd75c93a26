"""Dispatch: a table from message type to a handler spec, and one pipeline.

Every request goes through the same steps, in this order::

    look up spec -> check connection state -> authenticate -> permission
    -> validate (required fields, then each declared field) -> guards -> handle -> reply

A spec *declares* everything its handler needs: the connection states it is valid
in, whether it needs a login and which permission (fixed, or chosen by a field and
checked as soon as that field is read), its fields, the guards that must pass (a
service that must be available) and the services it uses.  The dispatcher enforces
it all and passes the handler exactly the services it declared, by name, so a
handler's signature says what it may touch and its body holds only the behaviour.
The table is built once; client strings are only ever used as keys into it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Awaitable, Callable, Iterable, Mapping

from refactored.core.context import Connection
from refactored.core.errors import (
    AuthenticationRequired,
    InsufficientPermissions,
    InvalidMessage,
    InvalidMessageType,
)
from refactored.core.schema import Alternative, Param, read_all, require
from refactored.core.state import LIVE_STATES, ConnectionState

Reply = dict[str, Any]
WHOLE_APP = "app"  # the service name that stands for every service (the admin reports only)


@dataclass(slots=True)
class Request:
    """One authorised, validated request on its way through a handler."""

    conn: Connection
    message: dict[str, Any]
    params: dict[str, Any]
    now: float
    effects: list[Any] = field(default_factory=list)


Handler = Callable[..., Reply | Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class PermissionBy:
    """A permission chosen by the value of one field (``choices``, else ``default``)."""

    field: str
    choices: Mapping[Any, str]
    default: str

    def of(self, value: Any) -> str:
        return self.choices.get(value, self.default)


@dataclass(frozen=True, slots=True)
class Guard:
    """A condition on one service, checked after validation; ``check`` raises when it fails."""

    uses: str
    check: Callable[[Any], None]


def _permit(conn: Connection, permission: str) -> None:
    if not conn.user.can(permission):
        raise InsufficientPermissions(f"Permission required: {permission}")


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """What a message type needs before its handler may run, and what the handler may use."""

    type: str
    handler: Handler
    auth: bool = False
    permission: str | PermissionBy | None = None
    required: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    alternative: Alternative | None = None
    guards: tuple[Guard, ...] = ()
    uses: tuple[str, ...] = ()
    states: frozenset[ConnectionState] = LIVE_STATES

    def authorise(self, conn: Connection) -> None:
        """Raise unless ``conn`` may use this message type (a chosen permission waits for its field)."""
        if not self.auth:
            return
        if conn.user is None:
            raise AuthenticationRequired("Authentication required")
        if isinstance(self.permission, str):
            _permit(conn, self.permission)

    def fields(self, message: dict[str, Any]) -> tuple[tuple[str, ...], tuple[Param, ...]]:
        """The required names and the fields to read: the alternative's when its key is present."""
        if self.alternative is not None and self.alternative.key in message:
            return (), self.alternative.params
        return self.required, self.params

    def validate(self, conn: Connection, message: dict[str, Any], services: Any) -> dict[str, Any]:
        """Required fields first (all reported together), then each field's check, in order."""
        required, params = self.fields(message)
        if not (required or params):
            return {}
        require(message, required)
        if not isinstance(self.permission, PermissionBy):
            return read_all(params, message, services)
        return self._read_permitting(conn, self.permission, params, message, services)

    @staticmethod
    def _read_permitting(conn: Connection, permission: PermissionBy, params: tuple[Param, ...],
                         message: dict[str, Any], services: Any) -> dict[str, Any]:
        """Read ``params`` in order; check the chosen permission right after the field that chooses it."""
        values = {}
        for param in params:
            values[param.name] = param.read(message, services)
            if param.name == permission.field:
                _permit(conn, permission.of(values[param.name]))
        return values

    def guard(self, services: Any) -> None:
        """Run each guard against the service it names."""
        for guard in self.guards:
            guard.check(service(services, guard.uses))


def service(services: Any, name: str) -> Any:
    """The service called ``name`` (:data:`WHOLE_APP` is all of them)."""
    return services if name == WHOLE_APP else getattr(services, name)


class HandlerTable:
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

    def __iter__(self):
        return iter(self._table.values())

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


def _as_coroutine(handler: Callable[[Request], Any]) -> Callable[[Request], Awaitable[Reply]]:
    """A handler as a coroutine function (handlers that await a shared store already are)."""
    if inspect.iscoroutinefunction(handler):
        return handler

    async def run(request: Request) -> Reply:
        return handler(request)
    return run


class Dispatcher:
    """Runs the pipeline for one message against a fixed table and the services of one server."""

    def __init__(self, table: HandlerTable, services: Any) -> None:
        self.table = table
        self._services = services
        self._bound = {spec.type: _as_coroutine(partial(spec.handler, **{name: service(services, name) for name in spec.uses}))
                       for spec in table}

    async def dispatch(self, conn: Connection, message: dict[str, Any], now: float) -> tuple[Request, Reply]:
        """Authorise, validate, guard and handle ``message``; return the request and its reply."""
        spec = self.table.lookup(message)
        if conn.state not in spec.states:
            raise InvalidMessage(f"Not allowed while {conn.state.value}")
        spec.authorise(conn)
        request = Request(conn, message, spec.validate(conn, message, self._services), now)
        spec.guard(self._services)
        return request, await self._bound[spec.type](request)
