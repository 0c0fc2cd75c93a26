"""Writes a found session as a `wsgm/1` transcript; its meta tags say what differs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from harness.corpus import RecordingResult
from harness.diff import Difference
from harness.transcript import Transcript, dumps, write

MAX_TAGS = 6
MAX_TAG_LENGTH = 240


def _value(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def describe(difference: Difference) -> str:
    """`differs: c1 frame 2 $.error_message (changed): "a" -> "b"` (bounded length)."""
    frame = "" if difference.frame is None else f" frame {difference.frame}"
    text = (f"differs: {difference.client}{frame} {difference.path} ({difference.kind}): "
            f"{_value(difference.expected)} -> {_value(difference.actual)}")
    return text if len(text) <= MAX_TAG_LENGTH else text[:MAX_TAG_LENGTH - 3] + "..."


def found_name(transcript: Transcript) -> str:
    """`fuzz_<12 hex>`: stable for the same client actions."""
    digest = hashlib.sha256(dumps(replace(transcript, path="")).encode()).hexdigest()[:12]
    return f"fuzz_{digest}"


def found_transcript(transcript: Transcript, result: RecordingResult, legacy: str,
                     candidate: str) -> Transcript:
    """The session renamed, dated and tagged with what differs."""
    tags = [describe(d) for d in result.differences[:MAX_TAGS]]
    extra = len(result.differences) - MAX_TAGS
    tags += [f"... and {extra} more differences"] if extra > 0 else []
    meta = replace(transcript.meta, name=found_name(transcript),
                   recorded_at=datetime.now(timezone.utc).isoformat(),
                   recorded_against=f"harness fuzz: {legacy} vs {candidate}",
                   tags=(*transcript.meta.tags, "found", *tags))
    return replace(transcript, meta=meta)


def write_found(transcript: Transcript, result: RecordingResult, out: Path, legacy: str,
                candidate: str) -> Path:
    """Write `<out>/<name>.jsonl`; returns the path."""
    found = found_transcript(transcript, result, legacy, candidate)
    path = Path(out) / f"{found.name}.jsonl"
    write(found, path)
    return path
