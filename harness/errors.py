"""The harness's exception tree: every user-facing error renders as one line.

    HarnessError                a usage, configuration, input or target problem
    ├── LocatedError            `path:line: reason`
    │   ├── TranscriptError     a transcript that is not valid `wsgm/1`
    │   └── ConfigError         a bad `[tool.harness]` table, waivers or declarations file
    ├── TargetError             a target that cannot be resolved or started
    ├── ReplayFailed            a target that cannot be replayed against (one recording fails)
    │   └── UncleanReplay       a timed replay (bench) that did not run cleanly on one side
    ├── ScenarioError           a scenario script that failed while recording
    ├── GateError               a gate that could not be evaluated (not a failed gate)
    └── NotApplicable           a gate that cannot apply to a target (it is skipped)

    GoldenFailure               not a harness problem: a golden-master test that found differences
"""

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


class ReplayFailed(HarnessError):
    """The target cannot be replayed against (refused, died, hung): the recording fails."""


class UncleanReplay(ReplayFailed):
    """A replay the bench times did not run cleanly on ``side`` (a frame never came)."""

    def __init__(self, side: str, message: str) -> None:
        super().__init__(message)
        self.side = side


class GateError(HarnessError):
    """A gate could not be evaluated (a harness or usage problem, not a failed gate)."""


class NotApplicable(HarnessError):
    """The gate cannot apply to a target (e.g. radon on a server that is not Python): a skip."""


class GoldenFailure(Exception):
    """A recording whose candidate differs from the legacy (the pytest plugin's failure); carries
    the report lines."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
