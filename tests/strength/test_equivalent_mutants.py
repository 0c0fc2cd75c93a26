"""Declared equivalent mutants: loading, `path:line: reason` errors, matching across line shifts."""

from __future__ import annotations

import pytest

from harness.errors import ConfigError
from harness.strength.equivalents import LINE_TOLERANCE, Declaration, load_declarations, match
from harness.strength.mutants import Mutant, mutants
from harness.strength.results import MutationResult, Outcome, Sampling

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


def test_score_is_given_with_and_without_the_unobservable_mutants():
    def outcome(index, killed, kind=None):
        declared = None if kind is None else Declaration("m.py", index, "d", "why", kind=kind)
        return Outcome(Mutant("m.py", index, index, "d"), killed, "r" if killed else None, 0.1, declared=declared)

    outcomes = [outcome(i, True) for i in range(8)] + [outcome(8, False), outcome(9, False, "equivalent"),
                                                       outcome(10, False, "unobservable"), outcome(11, True, "equivalent")]
    data = MutationResult(Sampling(12, 12, 0), outcomes).to_dict()
    assert (data["killed"], data["declared_equivalent"], data["declared_unobservable"]) == (9, 1, 1)
    assert data["score_percent"] == 90.0                          # 9 of the 10 not declared
    assert data["score_counting_unobservable_percent"] == 81.8    # 9 of 11: the unobservable one counts
    assert [o["where"] for o in data["contradicted_declarations"]] == ["m.py:11"]
