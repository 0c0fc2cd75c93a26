"""The harness's exception tree: every user-facing error renders as one line."""

from __future__ import annotations


class HarnessError(Exception):
    """A usage, configuration or input problem (CLI exit code 2)."""


class LocatedError(HarnessError):
    """An error in a file, rendered `path:line: reason`."""

    def __init__(self, path: object, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")


class TranscriptError(LocatedError):
    """A transcript that is not valid `wsgm/1`."""


class ConfigError(LocatedError):
    """A bad `[tool.harness]` table or waivers file."""


class TargetError(HarnessError):
    """A target spec that cannot be resolved or started."""


class ScenarioError(HarnessError):
    """A scenario script that failed while recording."""
