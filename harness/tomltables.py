"""Reviewed-entry files: one TOML array of tables (`[[waiver]]`, `[[mutant]]`) a file.

Each entry is checked field by field; every error is `path:line: reason`, with the line of the
entry's `[[table]]` header (or of the TOML syntax error).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from harness.errors import ConfigError


def read_entries(path: Path, table: str) -> list[tuple[int, dict[str, Any]]]:
    """The `[[table]]` entries of `path` with the line of each header; a missing file has none."""
    path = Path(path)
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+)", str(exc))
        raise ConfigError(path, int(where.group(1)) if where else 1, f"bad TOML: {exc}") from None
    unknown = sorted(set(data) - {table})
    if unknown:
        raise ConfigError(path, 1, f"unknown table {unknown[0]!r} (want [[{table}]])")
    entries = data.get(table, [])
    if not isinstance(entries, list):
        raise ConfigError(path, 1, f"'{table}' must be an array of tables ([[{table}]])")
    header = f"[[{table}]]"
    lines = [n + 1 for n, line in enumerate(text.splitlines()) if line.strip() == header]
    return [(lines[i] if i < len(lines) else 1, entry) for i, entry in enumerate(entries)]


def check_fields(path: Path, line: int, entry: dict[str, Any], fields: dict[str, type],
                 required: tuple[str, ...], entry_name: str, field_name: str = "field") -> None:
    """Known fields of the right type (a bool is no int), and every required one present."""
    for key, value in entry.items():
        kind = fields.get(key)
        if kind is None:
            raise ConfigError(path, line, f"unknown {field_name} {key!r}")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ConfigError(path, line, f"{field_name} {key!r} must be {kind.__name__}")
    missing = [key for key in required if not entry.get(key)]
    if missing:
        raise ConfigError(path, line, f"{entry_name} needs {missing[0]!r}")
