"""`harness init [DIR]`: a commented `[tool.harness]`, an empty `recordings/` and `waivers.toml`.

Every file is staged beside its destination and renamed into place only once all of them are
ready, so a failure leaves nothing half-written. An existing `[tool.harness]` is never touched.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.targets import parse_target

DEFAULT_LEGACY = "ws://127.0.0.1:8080"
DEFAULT_CANDIDATE = "ws://127.0.0.1:8081"

TABLE = """\
[tool.harness]
# Written by `harness init`. A target is one of:
#   "ws://host:port"              a server you started yourself, in any language
#   "cmd:COMMAND --port {{port}}"   a server in any language, started fresh on a free port for
#                                 each recording ({{port}} is replaced; settings in WSGM_SETTINGS)
#   "asgi:package.module:app"     an ASGI app, served fresh by uvicorn for each recording
#   "package.module:ServerClass"  a Python server class, started in process
# The server whose behaviour is the reference, and the one that must behave the same:
legacy = "{legacy}"
candidate = "{candidate}"
# Transcripts made by `harness record` (every *.jsonl below this directory):
recordings = "recordings"
# Intended differences, each with its reason (an unused waiver fails the run):
waivers_file = "waivers.toml"
# A Python module whose import line `harness gate` points at the winner; "" for none:
shim = ""
# concurrency = 32                   # recordings replayed at once (default: 16 per core)
# noise.add = ["$.server_time"]      # JSON paths that are always noise
# noise.ignore = ["$.count"]         # JSON paths that are never noise, even if learned
# redact = {{ passwords = ["password"], tokens = ["token"], ids = ["session_id"], headers = ["Authorization"] }}
# timeouts = {{ connect = 5.0, frame = 5.0, quiet = 0.3, start = 10.0 }}
"""

WAIVERS = """\
# Intended differences between the legacy and the candidate, each with its reason.
# A waiver that matches no difference fails the run, so this file stays current.
#
# [[waiver]]
# recording = "session_name"      # the recording's name (its file name without .jsonl)
# path = "$.server_version"       # JSON path; covers everything under it; [*] for any index
# client = "c1"                   # optional
# frame = 2                       # optional: frame index in the legacy's frames
# reason = "the candidate reports its own version"
#
# The api gate reads waivers of kind "api": a difference in the Python class's public surface.
# [[waiver]]
# kind = "api"
# member = "cache"                # the legacy class's member
# change = "removed"              # optional: removed, signature, coroutine, exceptions, ...
# reason = "private cache; consumers read get_stats() instead"
"""

NEXT_STEPS = """\
next:
  harness record --upstream {legacy_url} --listen 127.0.0.1:9000 --out recordings/first.jsonl
      # drive your client through ws://127.0.0.1:9000, then Ctrl-C; once per session
  harness diff     # legacy against candidate on every recording: 0 same, 1 differences
  harness gate     # golden, bench, memory, complexity: the verdict (0 pass, 1 a gate failed)
"""


@dataclass(frozen=True)
class Write:
    """One file to put in place: its destination and its whole new content."""

    path: Path
    text: str


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "init", help="write [tool.harness] into pyproject.toml, an empty recordings/ and waivers.toml"
    )
    parser.add_argument("directory", nargs="?", type=Path, default=Path("."), help="project directory")
    parser.add_argument("--legacy", default=DEFAULT_LEGACY, help=f"legacy target (default {DEFAULT_LEGACY})")
    parser.add_argument(
        "--candidate", default=DEFAULT_CANDIDATE, help=f"candidate target (default {DEFAULT_CANDIDATE})"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    for spec in (args.legacy, args.candidate):
        parse_target(spec)
    recordings = directory / "recordings"
    try:
        writes = plan(directory, args.legacy, args.candidate)
        _check_writable(directory, recordings)
        existed = recordings.is_dir()
    except OSError as exc:
        raise HarnessError(f"{exc.filename or directory}: {exc.strerror or exc} (nothing written)") from None
    apply(writes, recordings)
    for write in writes:
        print(f"wrote {write.path}")
    print(f"{'kept' if existed else 'made'} {recordings}/")
    print(NEXT_STEPS.format(legacy_url=_upstream(args.legacy)), end="")
    return 0


def plan(directory: Path, legacy: str, candidate: str) -> list[Write]:
    """The files to write: waivers.toml if absent, and pyproject.toml with the table appended
    (last, so that a table in place means everything else is too)."""
    if not directory.is_dir():
        raise HarnessError(f"{directory}: not a directory")
    pyproject = directory / "pyproject.toml"
    table = TABLE.format(legacy=_escaped(legacy), candidate=_escaped(candidate))
    existing = _read(pyproject)
    text = table if not existing.strip() else existing.rstrip("\n") + "\n\n" + table
    _check_result(pyproject, text)
    waivers = directory / "waivers.toml"
    return ([] if waivers.exists() else [Write(waivers, WAIVERS)]) + [Write(pyproject, text)]


def _read(pyproject: Path) -> str:
    """The current pyproject.toml ('' when absent); refuses one that already has the table."""
    if not pyproject.exists():
        return ""
    try:
        text = pyproject.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise HarnessError(f"{pyproject}: cannot read it: {exc}") from None
    if "harness" in data.get("tool", {}):
        raise HarnessError(f"{pyproject}: [tool.harness] already exists; edit it instead (nothing written)")
    return text


def _check_result(pyproject: Path, text: str) -> None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HarnessError(f"{pyproject}: the table cannot be appended ({exc}); nothing written") from None


def _escaped(spec: str) -> str:
    return spec.replace("\\", "\\\\").replace('"', '\\"')


def _upstream(legacy: str) -> str:
    return legacy if legacy.startswith(("ws://", "wss://")) else "ws://127.0.0.1:8080"


def _check_writable(directory: Path, recordings: Path) -> None:
    if not os.access(directory, os.W_OK | os.X_OK):
        raise HarnessError(f"{directory}: not writable (nothing written)")
    if recordings.exists() and not recordings.is_dir():
        raise HarnessError(f"{recordings}: exists and is not a directory (nothing written)")


def apply(writes: list[Write], recordings: Path) -> None:
    """Stage every file beside its destination, then rename them all into place; on any error
    the staged files (and a directory made here) are removed and nothing is replaced."""
    staged: list[tuple[str, Path]] = []
    made_dir = not recordings.exists()
    try:
        for write in writes:
            staged.append((_stage(write), write.path))
        recordings.mkdir(exist_ok=True)
        for temporary, destination in staged:
            os.replace(temporary, destination)
    except OSError as exc:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        if made_dir and recordings.is_dir() and not any(recordings.iterdir()):
            recordings.rmdir()
        raise HarnessError(f"{exc.filename or recordings}: {exc.strerror or exc} (nothing written)") from None


def _stage(write: Write) -> str:
    mode = write.path.stat().st_mode & 0o777 if write.path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=write.path.parent, prefix=f".{write.path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(write.text)
    os.chmod(temporary, mode)
    return temporary
