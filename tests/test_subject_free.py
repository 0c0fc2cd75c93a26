"""`harness/` knows nothing of any one subject: no import of the worked subject's packages, and
no message type, field name, user name or password of its API as a string in the code.

The names come from the worked subject itself (every frame of its corpus, the development
passwords of its user store, the passwords its recordings configure), not from a hand list;
only words that any JSON-over-WebSocket protocol or the harness's own vocabulary uses are
allowed (GENERIC).
"""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path

import pytest

from harness.corpus import load_transcripts

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "harness"
SUBJECT_PACKAGES = {"legacy", "refactored", "compat", "subject_trading"}
# Words of any JSON message protocol, login form or of the harness's own reports and transcripts.
GENERIC = {
    "", "type", "id", "name", "status", "error", "errors", "data", "message", "version", "token", "password",
    "username", "host", "port", "open", "close", "stop", "extra", "description", "duration", "file", "side",
    "min", "max", "all", "x", "command", "commands", "config", "session", "sessions", "stream", "code", "value",
}


def harness_sources() -> list[Path]:
    return sorted(HARNESS.rglob("*.py"))


def imported_packages(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _walk(value, keys: set[str], users: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(key)
            if key == "username" and isinstance(item, str):
                users.add(item)
            _walk(item, keys, users)
    elif isinstance(value, list):
        for item in value:
            _walk(item, keys, users)


def _frames(transcript) -> list:
    out = []
    for event in transcript.events:
        text = getattr(event, "text", None)
        if event.kind in ("send", "recv") and isinstance(text, str):
            try:
                out.append(json.loads(text))
            except (ValueError, RecursionError):
                continue
    return out


@functools.cache
def subject_names() -> dict[str, set[str]]:
    """Message types, field names, user names and passwords of the worked subject's API."""
    from refactored.services.users import DEV_PASSWORDS

    types, keys, users, passwords = set(), set(), set(), set(DEV_PASSWORDS.values())
    for transcript in load_transcripts([ROOT / "recordings"]):
        passwords |= set((transcript.meta.settings.get("passwords") or {}).values())
        for frame in _frames(transcript):
            if isinstance(frame, dict) and isinstance(frame.get("type"), str):
                types.add(frame["type"])
            _walk(frame, keys, users)
    users |= set(DEV_PASSWORDS)
    named = {"message type": types, "field": keys, "user": users, "password": passwords}
    return {kind: {n for n in names if _subject_word(n, kind)} for kind, names in named.items()}


def _subject_word(name: str, kind: str) -> bool:
    """A name of the subject's own: not generic, not Python's (dunder names of hostile input),
    an identifier unless it is a password."""
    if name in GENERIC or (name.startswith("__") and name.endswith("__")):
        return False
    return name.isidentifier() or kind == "password"


def test_the_corpus_gives_names_to_look_for() -> None:
    names = subject_names()
    assert len(names["message type"]) > 30 and len(names["field"]) > 80
    assert {"trader", "admin"} <= names["user"] and "trader123" in names["password"]


def test_harness_imports_no_subject_package() -> None:
    found = {
        f"{path.relative_to(ROOT)}: {package}"
        for path in harness_sources()
        for package in imported_packages(ast.parse(path.read_text(encoding="utf-8"))) & SUBJECT_PACKAGES
    }
    assert not found, sorted(found)


def test_harness_names_nothing_of_the_subject_api() -> None:
    names = subject_names()
    found = []
    for path in harness_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {kind} {node.value!r}"
                      for kind, words in names.items() if node.value in words]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("literal", ['"trader"', '"reconnect_token"', '"ping"'])
def test_a_planted_name_is_found(literal: str) -> None:
    names = subject_names()
    tree = ast.parse(f"X = {literal}\n")
    values = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert any(v in words for v in values for words in names.values())
