"""Parameter schemas: which fields a request needs and how each is checked.

A :class:`Param` reads one field: an absent or ``null`` field takes the
default (with ``null_is_absent=False`` only an absent one does); anything else
goes through ``check``, which returns the normalised value or raises
:class:`InvalidParameter`.  A check that needs a service names it in ``uses``
and receives it as its second argument.  :func:`require` reports every missing
required field in one error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from refactored.core.errors import InvalidParameter, MissingParameters

Check = Callable[[Any], Any]


def require(message: dict[str, Any], names: Iterable[str]) -> None:
    """Raise :class:`MissingParameters` naming every absent or null field."""
    missing = [name for name in names if message.get(name) is None]
    if missing:
        raise MissingParameters(f"Required: {', '.join(missing)}")


def rejected() -> InvalidParameter:
    """What a check raises for a wrong type or value; its :class:`Param` names the field."""
    return InvalidParameter("")


def invalid(name: str) -> InvalidParameter:
    """The standard error for a field of the wrong type or range."""
    return InvalidParameter(f"Invalid parameter: {name}")


def of_type(*kinds: type, nonempty: bool = False) -> Check:
    """A check accepting exactly these JSON types (``bool`` is not a number)."""
    def check(value: Any) -> Any:
        if type(value) not in kinds or (nonempty and not value):
            raise rejected()
        return value
    return check


def _keep(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class Param:
    """One request field: its check, its default, and the service its check needs (if any)."""

    name: str
    check: Check = _keep
    default: Any = None
    uses: str | None = None
    null_is_absent: bool = True

    def read(self, message: dict[str, Any], services: Any = None) -> Any:
        """The checked value of this field in ``message`` (``services`` holds what ``uses`` names)."""
        value = message.get(self.name)
        if value is None and (self.null_is_absent or self.name not in message):
            value = self.default
            if value is None:
                return None
        return self.check_value(value, services)

    def check_value(self, value: Any, services: Any = None) -> Any:
        """``value`` checked; a check's bare error becomes ``Invalid parameter: <name>``."""
        try:
            return self.check(value) if self.uses is None else self.check(value, getattr(services, self.uses))
        except InvalidParameter as exc:
            raise (exc if exc.message else invalid(self.name)) from None


@dataclass(frozen=True, slots=True)
class Alternative:
    """Fields read instead of a spec's own when ``key`` is in the message (even as ``null``)."""

    key: str
    params: tuple[Param, ...]


def read_all(params: tuple[Param, ...], message: dict[str, Any], services: Any = None) -> dict[str, Any]:
    """Every declared field of ``message``, checked in declaration order."""
    return {param.name: param.read(message, services) for param in params}
