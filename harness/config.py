"""`[tool.harness]` in pyproject.toml: typed configuration with `path:line: reason` errors."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from harness.errors import ConfigError

REPLAYS_PER_CORE = 16  # a replay mostly waits (sync points, quiet windows): many per core
MAX_CONCURRENCY = 64


def machine_concurrency() -> int:
    """The default number of recordings replayed at once: 16 per core, at most 64."""
    return max(1, min(MAX_CONCURRENCY, REPLAYS_PER_CORE * (os.cpu_count() or 1)))


@dataclass(frozen=True)
class Timeouts:
    """Every wait of the harness, in seconds."""

    connect: float = 5.0
    frame: float = 5.0
    quiet: float = 0.3
    quiet_max: float = 3.0
    recording: float = 60.0
    start: float = 10.0
    close: float = 2.0


@dataclass(frozen=True)
class Fixtures:
    """Secrets that replay puts back (never written in transcripts): the subject's
    `[tool.harness.fixtures] passwords`, none by default."""

    passwords: dict[str, str] = field(default_factory=dict)

    def password_for(self, username: object, settings: dict[str, Any]) -> str | None:
        """The password of `username`: the recording's settings, else the fixtures."""
        table = {**self.passwords, **(settings.get("passwords") or {})}
        return table.get(username) if isinstance(username, str) else None


@dataclass(frozen=True)
class Redaction:
    """Which JSON keys and headers the recorder redacts or aliases. By default only what any
    subject keeps secret: `password` keys and the credential headers; the keys of the values a
    subject's server issues (tokens, ids) are the subject's `[tool.harness.redact]`."""

    passwords: tuple[str, ...] = ("password",)
    tokens: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    headers: tuple[str, ...] = ("Authorization", "Cookie")


@dataclass(frozen=True)
class Selection:
    """Which recordings a gate replays against one server, and the settings that server gets.

    ``recordings`` and ``exclude`` are name patterns (``fnmatch``); ``settings`` lie under each
    recording's own settings (a recording's own key wins).
    """

    recordings: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchConfig(Selection):
    """``[tool.harness.bench]``: the corpus selection and ``copies`` replayed at once."""

    copies: int = 4


@dataclass(frozen=True)
class MemoryConfig(Selection):
    """``[tool.harness.memory]``: the corpus selection replayed against one long-lived server."""


@dataclass(frozen=True)
class ComplexityPaths:
    """``[tool.harness.complexity]``: source paths per side, when the import path does not say."""

    legacy: tuple[str, ...] = ()
    candidate: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoiseRules:
    """Configured noise: paths always treated as noise, and paths never treated so."""

    add: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetTable:
    """How target specs resolve: short names, and which recording settings a server class
    takes as constructor keywords of their own (the rest arrive as `settings=`)."""

    aliases: dict[str, str] = field(default_factory=dict)
    constructor_keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClusterConfig:
    """``[tool.harness.cluster]``: what a `cluster:N:TARGET` target shares. ``redis_url``: the
    Redis of its instances (else `WSGM_REDIS_URL`, else a redis-server the harness starts);
    ``settings``: merged into each instance's settings, with `{redis_url}` and `{namespace}` (the
    recording's own key prefix) filled into its strings. Empty by default: the subject says how
    its server is told about Redis."""

    redis_url: str = ""
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HarnessConfig:
    """The whole `[tool.harness]` table; the defaults name no subject."""

    legacy: str = "legacy"
    candidate: str = "refactored"
    recordings: str = "recordings"
    shim: str = ""  # no shim: the verdict and reports only
    waivers_file: str = "recordings/waivers.toml"
    concurrency: int = field(default_factory=machine_concurrency)
    workers: int = 0  # worker processes for a corpus run; 0: one per core (see harness.workers)
    targets: TargetTable = TargetTable()
    env: dict[str, str] = field(default_factory=dict)
    noise: NoiseRules = NoiseRules()
    fixtures: Fixtures = Fixtures()
    timeouts: Timeouts = Timeouts()
    redact: Redaction = Redaction()
    thresholds: dict[str, Any] = field(default_factory=dict)
    plugin: str = ""
    bench: BenchConfig = BenchConfig()
    memory: MemoryConfig = MemoryConfig()
    complexity: ComplexityPaths = ComplexityPaths()
    cluster: ClusterConfig = ClusterConfig()
    root: Path = Path(".")
    source: Path | None = None  # the file this configuration was read from

    def resolve(self, relative: str) -> Path:
        """A configured path, relative to the directory of pyproject.toml."""
        return self.root / relative


def _str_tuple(value: Any) -> tuple[str, ...] | None:
    ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return tuple(value) if ok else None


def _number(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
    return float(value) if ok else None


def _str_dict(value: Any) -> dict[str, str] | None:
    ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return dict(value) if ok else None


def _plain(kind: type, description: str):
    def convert(value: Any):
        ok = isinstance(value, kind) and not isinstance(value, bool)
        return value if ok else None

    convert.description = description
    return convert


_STR = _plain(str, "a string")
_str_tuple.description = "an array of strings"
_number.description = "a positive number"
_str_dict.description = "a table of strings"


def _positive_int(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else None


_positive_int.description = "a positive integer"
_POSITIVE_INT = _positive_int
_TABLE = _plain(dict, "a table")
_SELECTION = {"recordings": _str_tuple, "exclude": _str_tuple, "settings": _TABLE}

# section -> (dataclass, converter per field)
_SECTIONS = {
    "noise": (NoiseRules, {"add": _str_tuple, "ignore": _str_tuple}),
    "fixtures": (Fixtures, {"passwords": _str_dict}),
    "timeouts": (Timeouts, {f.name: _number for f in fields(Timeouts)}),
    "redact": (Redaction, {f.name: _str_tuple for f in fields(Redaction)}),
    "targets": (TargetTable, {"aliases": _str_dict, "constructor_keywords": _str_tuple}),
    "bench": (BenchConfig, {**_SELECTION, "copies": _POSITIVE_INT}),
    "memory": (MemoryConfig, _SELECTION),
    "complexity": (ComplexityPaths, {"legacy": _str_tuple, "candidate": _str_tuple}),
    "cluster": (ClusterConfig, {"redis_url": _STR, "settings": _TABLE}),
}
_SCALARS = {
    "legacy": _STR,
    "candidate": _STR,
    "recordings": _STR,
    "shim": _STR,
    "waivers_file": _STR,
    "concurrency": _POSITIVE_INT,
    "workers": _POSITIVE_INT,
    "thresholds": _TABLE,
    "env": _str_dict,
    "plugin": _STR,
}


def load_config(path: Path | None = None) -> HarnessConfig:
    """Read `[tool.harness]` from `path` (default ./pyproject.toml); defaults if absent."""
    path = Path(path or "pyproject.toml")
    if not path.is_file():
        return HarnessConfig(root=path.parent)
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, _toml_line(exc), f"bad TOML: {exc}") from None
    table = data.get("tool", {}).get("harness", {})
    return replace(parse_config(table, _Locator(path, text), root=path.parent), source=path)


def _toml_line(exc: tomllib.TOMLDecodeError) -> int:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else 1


@dataclass(frozen=True)
class _Locator:
    """Finds the line of a key in the file text, for error messages."""

    path: Path
    text: str

    def error(self, key: str, reason: str) -> ConfigError:
        return ConfigError(self.path, self.line_of(key), reason)

    def line_of(self, key: str) -> int:
        lines = self.text.splitlines()
        start = next((i for i, line in enumerate(lines) if line.strip().startswith("[tool.harness")), 0)
        last = re.escape(key.split(".")[-1])
        pattern = re.compile(rf"^\s*(?:[\w.]+\.)?{last}\s*=|[{{,]\s*{last}\s*=")
        for index in range(start, len(lines)):
            if pattern.search(lines[index]):
                return index + 1
        return start + 1


def parse_config(table: dict[str, Any], where: _Locator, root: Path = Path(".")) -> HarnessConfig:
    """Build a HarnessConfig from the parsed table; unknown keys and bad types are errors."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _SECTIONS:
            values[key] = _section(key, value, where)
        elif key in _SCALARS:
            values[key] = _convert(key, value, _SCALARS[key], where)
        else:
            raise where.error(key, f"unknown key tool.harness.{key}")
    return replace(HarnessConfig(root=root), **values)


def _convert(key: str, value: Any, converter, where: _Locator) -> Any:
    converted = converter(value)
    if converted is None:
        raise where.error(key, f"tool.harness.{key} must be {converter.description}")
    return converted


def _section(name: str, value: Any, where: _Locator) -> Any:
    kind, converters = _SECTIONS[name]
    if not isinstance(value, dict):
        raise where.error(name, f"tool.harness.{name} must be a table")
    out = {}
    for key, item in value.items():
        if key not in converters:
            raise where.error(f"{name}.{key}", f"unknown key tool.harness.{name}.{key}")
        out[key] = _convert(f"{name}.{key}", item, converters[key], where)
    return kind(**out)
