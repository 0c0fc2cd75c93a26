"""The text report: unified-diff style, naming recording, client, frame and JSON path."""

from __future__ import annotations

import json
import re
from typing import Any

from harness.corpus import CorpusResult, RecordingResult
from harness.diff import Difference

_SIGNS = {"missing": ("-",), "extra": ("+",), "reordered": (" ",)}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _show(value: Any) -> str:
    """A value as JSON, non-ASCII kept readable; a lone surrogate (valid in a JSON string, not in
    UTF-8 output) stays escaped."""
    if isinstance(value, str) and value.startswith("<"):
        return value
    text = json.dumps(value, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _frame(difference: Difference) -> str:
    sides = [i for i in (difference.frame, difference.actual_frame) if i is not None]
    if len(set(sides)) == 2:
        return f" frame {sides[0]}->{sides[1]}"
    return f" frame {sides[0]}" if sides else ""


def render_difference(difference: Difference) -> list[str]:
    """One hunk: `@@ recording client frame N path (kind) @@` then -expected / +actual."""
    head = (
        f"@@ {difference.recording} {difference.client}{_frame(difference)} "
        f"{difference.path} ({difference.kind}) @@"
    )
    values = {"-": difference.expected, "+": difference.actual, " ": difference.expected}
    return [head] + [sign + _show(values[sign]) for sign in _SIGNS.get(difference.kind, ("-", "+"))]


def render_recording(result: RecordingResult, legacy: str, candidate: str) -> list[str]:
    """The hunks of one recording, its failure, and the waivers it used."""
    if result.not_applicable:
        return [f"~~~ not applicable: {result.name}: {result.not_applicable}"]
    if result.ok and not result.waived:
        return []
    lines = [f"--- {legacy}/{result.name}", f"+++ {candidate}/{result.name}"]
    if result.error:
        lines.append(f"!!! failed: {result.error}")
    for difference in result.differences:
        lines += render_difference(difference)
    for waived in result.waived:
        lines.append(
            f"=== waived {waived.difference.where} ({waived.difference.kind}): "
            f"{waived.waiver.reason} [{waived.waiver.source}]"
        )
    lines += [f"... warning: {w}" for w in result.warnings] if result.differences or result.error else []
    return lines


def render_noise(result: CorpusResult) -> list[str]:
    """The learned noise paths, with how many recordings each was learned in."""
    counts: dict[str, int] = {}
    for recording in result.recordings:
        for path in recording.noise:
            counts[path] = counts.get(path, 0) + 1
    return [f"noise {path} ({count} recordings)" for path, count in sorted(counts.items())]


def render(result: CorpusResult, show_noise: bool = False) -> str:
    """The whole report (learned noise first if asked), ending with the one-line summary."""
    lines: list[str] = render_noise(result) if show_noise else []
    for recording in result.recordings:
        lines += render_recording(recording, result.legacy, result.candidate)
    for waiver in result.unused_waivers:
        lines.append(f"{waiver.source}: unused waiver for {waiver.recording} {waiver.path}: {waiver.reason}")
    lines.append(result.summary())
    return "\n".join(lines) + "\n"
