"""The runtime half, with ``inspect``: what only the imported classes and their instances show.

Each class is constructed with its default arguments, in a thread bounded in time; construction
must open no listening socket. Compared: public class members (also those made at run time),
coroutine or not, and the public instance attributes after construction (present, and for plain
data the same type).
"""

from __future__ import annotations

import inspect
import threading
from dataclasses import dataclass, field
from typing import Any

import psutil

from harness.gates.api.model import ApiDifference
from harness.gates.result import GateError

PLAIN = (str, int, float, bool, type(None), dict, list, tuple, set, frozenset, bytes)
MISSING = object()


@dataclass(frozen=True)
class Surface:
    """One class's runtime surface: its public class members and one default instance's attributes."""

    cls: type
    members: dict[str, Any]
    instance: Any = None
    attributes: dict[str, Any] = field(default_factory=dict)
    construction_error: str = ""

    def has(self, name: str) -> bool:
        """Whether the class or its default instance offers ``name``."""
        return name in self.members or name in self.attributes or self._readable(name) is not MISSING

    def _readable(self, name: str) -> Any:
        holder = self.cls if self.instance is None else self.instance
        try:
            return getattr(holder, name, MISSING)
        except Exception:  # a property that fails reads as absent
            return MISSING

    def value(self, name: str) -> Any:
        return self.attributes[name] if name in self.attributes else self._readable(name)

    @property
    def names(self) -> set[str]:
        return set(self.members) | set(self.attributes)


def class_members(cls: type) -> dict[str, Any]:
    """Public names of the class and its bases, and the special methods they define (not object's)."""
    found = {name: inspect.getattr_static(cls, name) for name in dir(cls) if not name.startswith("_")}
    for base in cls.__mro__[:-1]:
        for name, value in vars(base).items():
            if name.startswith("__") and name.endswith("__") and callable(value) and name not in found:
                found[name] = value
    return found


def surface(cls: type, timeout: float) -> Surface:
    """The runtime surface of ``cls``, with a default-constructed instance when construction works."""
    instance, error = construct(cls, timeout)
    attributes = {k: v for k, v in getattr(instance, "__dict__", {}).items() if not k.startswith("_")}
    return Surface(cls, class_members(cls), instance, attributes, error)


def construct(cls: type, timeout: float) -> tuple[Any, str]:
    """``cls()`` in a thread, bounded by ``timeout``; (instance, "") or (None, why it failed)."""
    name = f"{cls.__module__}:{cls.__qualname__}"
    outcome: dict[str, Any] = {}
    before = _listening()

    def build() -> None:
        try:
            outcome["instance"] = cls()
        except Exception as exc:
            outcome["error"] = f"{type(exc).__name__}: {exc}"

    worker = threading.Thread(target=build, name="api-gate-construct", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise GateError(f"{name}(): construction with default arguments took over {timeout} s")
    opened = _listening() - before
    if opened:
        raise GateError(f"{name}(): construction with default arguments opened a listening socket "
                        f"({', '.join(sorted(opened))}); the api gate constructs servers only when that binds nothing")
    return outcome.get("instance"), outcome.get("error", "")


def _listening() -> set[str]:
    return {f"{c.laddr.ip}:{c.laddr.port}" for c in psutil.Process().net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN}


def runtime_changes(old: Surface, new: Surface) -> list[ApiDifference]:
    """Members and instance attributes of ``old`` that ``new`` lacks or changes.

    When only the legacy can be built with default arguments, that is the difference, and the
    instance attributes are not compared.
    """
    if old.instance is not None and new.instance is None:
        return [ApiDifference("__init__", "construction", f"construction with default arguments fails: "
                              f"{new.construction_error}")] + _member_changes(old, new, set(old.members))
    return _member_changes(old, new, old.names) + _attribute_types(old, new)


def _member_changes(old: Surface, new: Surface, names: set[str]) -> list[ApiDifference]:
    found = [ApiDifference(name, "removed", "not on the candidate class or its default instance")
             for name in sorted(names) if not new.has(name)]
    return found + [ApiDifference(name, "coroutine", _coroutine_detail(old.members[name]))
                    for name in sorted(set(old.members) & set(new.members))
                    if _is_coroutine(old.members[name]) != _is_coroutine(new.members[name])]


def _attribute_types(old: Surface, new: Surface) -> list[ApiDifference]:
    """Plain-data instance attributes whose type differs (an int that became a float)."""
    return [ApiDifference(name, "attribute type", f"legacy {type(value).__name__}, candidate "
                          f"{type(new.value(name)).__name__}")
            for name, value in sorted(old.attributes.items())
            if new.has(name) and type(value) in PLAIN and type(new.value(name)) is not type(value)]


def _is_coroutine(member: Any) -> bool:
    function = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
    return inspect.iscoroutinefunction(function)


def _coroutine_detail(legacy_member: Any) -> str:
    return ("a coroutine function on the legacy, not on the candidate" if _is_coroutine(legacy_member)
            else "a plain function on the legacy, a coroutine function on the candidate")


def additions(old: Surface, new: Surface) -> list[str]:
    """Public names only the candidate offers (information: an addition breaks no consumer)."""
    return sorted(name for name in new.names if not old.has(name))
