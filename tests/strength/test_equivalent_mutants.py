"""Declared equivalent mutants: loading, `path:line: reason` errors, matching across line shifts."""

from __future__ import annotations

import pytest

from harness.errors import ConfigError
from harness.strength.equivalents import LINE_TOLERANCE, load_declarations, match
from harness.strength.mutants import mutants

SOURCE = "def f(a, b):\n    if a == 1:\n        return b == 2\n    return a == b\n"
GOOD = '''# reviewed
[[mutant]]
file = "m.py"
line = 2
mutation = "Equal ' == '"
reason = "a is never 1"

[[mutant]]
file = "m.py"
line = 40
mutation = "Equal ' == '"
reason = "stale"
kind = "unobservable"
'''


def test_declarations_load_and_match_the_nearest_site(tmp_path):
    path = tmp_path / "eq.toml"
    path.write_text(GOOD)
    first, stale = load_declarations(path)
    assert (first.source, stale.kind) == (f"{path}:2", "unobservable")
    shifted = "\n\n" + SOURCE  # two lines added above: line 2 is now line 4
    sites = mutants("m.py", shifted)
    matched = match([first, stale], sites)
    chosen = [m for m in sites if matched.declaration(m)]
    assert [(m.line, m.description) for m in chosen] == [(4, "Equal ' == '")]
    assert matched.unused == [stale]


def test_missing_file_means_no_declarations(tmp_path):
    assert load_declarations(tmp_path / "absent.toml") == []


def test_tolerance_and_column():
    sites = mutants("m.py", "x = (a == b, c == d)\n")
    entry = {"file": "m.py", "mutation": "Equal ' == '", "reason": "r"}
    path = "eq.toml"
    from harness.strength.equivalents import Declaration

    far = Declaration(line=1 + LINE_TOLERANCE + 1, source=f"{path}:1", **entry)
    assert match([far], sites).unused == [far]
    with pytest.raises(ConfigError, match=r"^eq.toml:3: 2 mutants Equal ' == ' on line 1 \(columns 7, 15\): add 'column'"):
        match([Declaration(line=1, source=f"{path}:3", **entry)], sites)
    exact = Declaration(line=1, column=15, source=f"{path}:3", **entry)
    assert [m.column for m in sites if match([exact], sites).declaration(m)] == [15]


@pytest.mark.parametrize("text, line, reason", [
    ("[[mutant]]\nfile = 'm.py'\nline = 2\nmutation = 'x'\n", 1, "declaration needs 'reason'"),
    ("\n[[mutant]]\nfile = 'm.py'\nline = '2'\nmutation = 'x'\nreason = 'r'\n", 2, "field 'line' must be int"),
    ("[[mutant]]\nfile = 'm.py'\nline = 2\nmutation = 'x'\nreason = 'r'\nwhy = 1\n", 1, "unknown field 'why'"),
    ("[[mutant]]\nfile = 'm.py'\nline = 2\nmutation = 'x'\nreason = 'r'\nkind = 'maybe'\n", 1,
     "kind must be one of equivalent, unobservable"),
    ("[[waiver]]\nrecording = 'x'\n", 1, "unknown table 'waiver' (want [[mutant]])"),
    ("mutant = 3\n", 1, "'mutant' must be an array of tables ([[mutant]])"),
    ("[[mutant]]\nfile = \n", 2, "bad TOML"),
])
def test_bad_declarations_give_path_line_reason(tmp_path, text, line, reason):
    path = tmp_path / "eq.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_declarations(path)
    assert str(error.value).startswith(f"{path}:{line}: {reason}")
