"""The worked subject's harness configuration: its `[tool.harness]` table in pyproject.toml."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from harness.config import HarnessConfig, load_config

ROOT = Path(__file__).resolve().parent.parent


@cache
def _loaded() -> HarnessConfig:
    return load_config(ROOT / "pyproject.toml")


def harness_config(**changes: Any) -> HarnessConfig:
    """The worked subject's configuration (fixtures, redaction, selections), with ``changes``."""
    return replace(_loaded(), **changes)
