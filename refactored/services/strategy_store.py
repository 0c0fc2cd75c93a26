"""File-backed strategy configurations, one ``<name>.json`` file per strategy.

A name is used as a file name only if it is one plain path component: no
separator, no NUL, not ``.`` or ``..``, and the resolved file must sit
directly in the store's directory.  Anything else is :class:`UnsafeName`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from refactored.core.errors import UnsafeName

_FORBIDDEN = ("/", "\\", "\x00")


class StrategyStore:
    """Writes strategy configs under one directory, never outside it."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory.absolute()

    @property
    def directory(self) -> Path:
        return self._directory

    def path_for(self, name: str) -> Path:
        """The file for ``name``, or :class:`UnsafeName`."""
        if not name or name in (".", "..") or any(ch in name for ch in _FORBIDDEN):
            raise UnsafeName(repr(name))
        path = self._directory / f"{name}.json"
        if path.resolve().parent != self._directory.resolve():
            raise UnsafeName(repr(name))
        return path

    def save(self, name: str, config: dict[str, Any]) -> Path:
        """Write ``{"name", "config"}`` for ``name``; OSError if the disk refuses."""
        path = self.path_for(name)
        self._directory.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"name": name, "config": config}, handle, indent=2)
        return path
