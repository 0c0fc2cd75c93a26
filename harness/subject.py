"""The subject plug-in: what one subject adds to the generic gates.

The gates work from the corpus alone. A subject that needs more (a workload the corpus cannot
express, such as a server-side broadcast; a check of its own data structures) subclasses
``Subject`` and overrides the hooks it needs, as syrupy's extension classes are subclassed; the
configuration names the class: ``[tool.harness] plugin = "package.module:Class"``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Sequence

from harness.errors import ConfigError, HarnessError

if TYPE_CHECKING:
    from harness.config import HarnessConfig
    from harness.gates.bench.workloads import Workload
    from harness.gates.memory.bounded import BoundedSubject


class Subject:
    """The hooks, each a no-op by default; built with the run's configuration."""

    def __init__(self, config: "HarnessConfig") -> None:
        self.config = config

    def bench_workloads(self, quick: bool) -> Sequence["Workload"]:
        """Extra bench workloads, timed interleaved beside the corpus replay."""
        del quick
        return ()

    def bounded_structures(self, candidate: str) -> Sequence["BoundedSubject"]:
        """Structures of the candidate that must stay bounded however many sessions come and go."""
        del candidate
        return ()


def load_subject(config: "HarnessConfig") -> Subject:
    """The configured plug-in (``module:Class``, a ``Subject`` subclass), or the plain ``Subject``."""
    if not config.plugin:
        return Subject(config)
    module_name, _, attr = config.plugin.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except Exception as exc:  # the plug-in's own import error is reported, not raised through
        raise HarnessError(f"plugin {config.plugin!r} cannot be loaded: {exc!r}") from None
    if not (isinstance(cls, type) and issubclass(cls, Subject)):
        where = config.source or config.root / "pyproject.toml"
        raise ConfigError(where, 1, f"tool.harness.plugin {config.plugin!r} is not a harness.subject.Subject subclass")
    return cls(config)
