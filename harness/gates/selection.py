"""Which recordings a gate replays (``[tool.harness.bench]``, ``[tool.harness.memory]``)."""

from __future__ import annotations

import fnmatch
from typing import Any

from harness.config import HarnessConfig, Selection
from harness.corpus import load_transcripts
from harness.transcript import Transcript


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def selected(transcripts: list[Transcript], selection: Selection) -> list[Transcript]:
    """The recordings whose names match ``selection.recordings`` and no ``selection.exclude``."""
    return [
        t for t in transcripts if _matches(t.name, selection.recordings) and not _matches(t.name, selection.exclude)
    ]


def corpus_selection(config: HarnessConfig, selection: Selection) -> list[Transcript]:
    """The configured corpus, narrowed to ``selection``; recordings with `call` or `event` lines
    (the server's Python side, e.g. a `stop()` call) are not wire workload and are left out."""
    wire = [t for t in load_transcripts([config.resolve(config.recordings)]) if t.server_side is None]
    return selected(wire, selection)


def settings_for(transcript: Transcript, selection: Selection) -> dict[str, Any]:
    """The configured settings with the recording's own on top."""
    return {**selection.settings, **transcript.meta.settings}


def fits(transcript: Transcript, settings: dict[str, Any]) -> bool:
    """True when a server started with ``settings`` runs the recording as it was recorded: every
    setting of its own has the server's value."""
    return all(settings.get(key) == value for key, value in transcript.meta.settings.items())
