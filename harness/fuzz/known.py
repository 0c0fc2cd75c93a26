"""Declared waivers seen from the fuzzer: path waivers match anywhere, whole-recording ones exclude inputs."""

from __future__ import annotations

from dataclasses import dataclass, replace

from harness.fuzz.model import SESSION_NAME
from harness.jsonpath import ROOT
from harness.waivers import Waiver


@dataclass(frozen=True)
class Exclusions:
    """Inputs the fuzzer leaves out because a declared waiver already covers what they show."""

    forged_reconnect: bool = False


# recording waived as a whole -> what it shows, as generator exclusions
WHOLE_RECORDING_WAIVERS = {
    "hostile_reconnect_forged_unsafe": {"forged_reconnect": True},
}


def path_waivers(waivers: list[Waiver]) -> list[Waiver]:
    """Waivers of one JSON path, made to match that path in any generated session."""
    return [replace(w, recording=SESSION_NAME, client=None, frame=None)
            for w in waivers if w.path != ROOT]


def exclusions(waivers: list[Waiver]) -> Exclusions:
    """Exclusions for the whole-recording waivers that are declared."""
    flags: dict[str, bool] = {}
    for waiver in waivers:
        if waiver.path == ROOT:
            flags.update(WHOLE_RECORDING_WAIVERS.get(waiver.recording, {}))
    return Exclusions(**flags)
