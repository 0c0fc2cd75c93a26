"""Import-path targets as the gates need them: the server class and the package's source."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from harness.config import HarnessConfig
from harness.gates.result import GateError, NotApplicable
from harness.targets import TargetSpec, load_server_class, on_import_path, parse_target


def in_process(target: str, config: HarnessConfig | None = None) -> TargetSpec:
    """The parsed target; gates that import the server refuse ``ws://`` URLs."""
    spec = parse_target(target, config)
    if not spec.in_process:
        raise NotApplicable(f"{target}: this gate needs an import path (module:Class), not a URL")
    return spec


def load_class(target: str, config: HarnessConfig | None = None) -> type:
    """The server class a target names."""
    return load_server_class(in_process(target, config))


def source_root(target: str, config: HarnessConfig | None = None) -> Path:
    """The top-level package directory (or module file) a target lives in, without importing it."""
    found = in_process(target, config)
    on_import_path(found)
    top = found.module.split(".")[0]
    spec = importlib.util.find_spec(top)
    if spec is None:
        raise GateError(f"{target}: package {top} not found")
    if spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(spec.origin or top)
