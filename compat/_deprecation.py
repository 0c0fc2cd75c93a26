"""DeprecationWarning for consumers that still import the legacy module path.

Once ``compat`` is imported and exposes the candidate, a ``sys.meta_path`` finder wraps the
legacy module's loader: the first import of the legacy path warns, and the loaded module's class
is swapped so that every public attribute read through it (``from legacy.websocket_server import
X``, ``ws.X``) warns too. A legacy module already loaded before ``compat`` gets its class swapped
at once. Code inside the legacy module reads its own globals and never warns.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
import warnings

LEGACY_MODULE = "legacy.websocket_server"
NEW_PATH = "compat"
_IMPORT_MACHINERY = "<frozen importlib"


def _in_import_machinery(frame: types.FrameType) -> bool:
    return frame.f_code.co_filename.startswith(_IMPORT_MACHINERY)


def _internal(frame: types.FrameType, package: str) -> bool:
    """This module, the import machinery, or the legacy package importing itself."""
    name = frame.f_globals.get("__name__", "")
    own = name == package or name.startswith(package + ".")
    return own or frame.f_code.co_filename == __file__ or _in_import_machinery(frame)


def _stacklevel(package: str) -> int:
    """The stack level of the consumer's frame (``warnings`` skips import machinery frames itself)."""
    frame, level = sys._getframe(2), 2
    while frame is not None and _internal(frame, package):
        level += not _in_import_machinery(frame)
        frame = frame.f_back
    return level


def _warn(module_name: str, new_path: str) -> None:
    warnings.warn(
        f"{module_name} is deprecated: import WebSocketAPIServer from {new_path} instead",
        DeprecationWarning,
        stacklevel=_stacklevel(module_name.split(".")[0]),
    )


class DeprecatedModule(types.ModuleType):
    """A module whose public attributes warn when read from outside."""

    def __getattribute__(self, name: str):
        if not name.startswith("_"):
            _warn(types.ModuleType.__getattribute__(self, "__name__"), NEW_PATH)
        return super().__getattribute__(name)


class _WarningLoader(importlib.abc.Loader):
    """Delegates to the real loader, then marks the module deprecated."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        module.__class__ = DeprecatedModule
        _warn(module.__name__, NEW_PATH)

    def __getattr__(self, name: str):
        return getattr(self._loader, name)


class LegacyImportFinder(importlib.abc.MetaPathFinder):
    """Finds the legacy module with the path finder and wraps its loader."""

    def __init__(self, module_name: str) -> None:
        self.module_name = module_name

    def find_spec(self, fullname, path, target=None):
        if fullname != self.module_name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _WarningLoader(spec.loader)
        return spec


def _remove_finders() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, LegacyImportFinder)]


def warn_on_legacy_imports(exposed: str, module_name: str = LEGACY_MODULE) -> None:
    """Warn on legacy imports while the shim exposes anything but ``legacy``."""
    _remove_finders()
    loaded = sys.modules.get(module_name)
    if exposed == "legacy":
        if loaded is not None and type(loaded) is DeprecatedModule:
            loaded.__class__ = types.ModuleType
        return
    if loaded is not None:
        loaded.__class__ = DeprecatedModule
    sys.meta_path.insert(0, LegacyImportFinder(module_name))
