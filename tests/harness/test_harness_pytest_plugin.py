"""The pytest plugin: `pytest --golden` in a project with [tool.harness] (run through pytester)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness_support import EDITED, ISSUER, SERVERS

pytest_plugins = ["pytester"]

HERE = Path(__file__).resolve().parent
NAMES = ["issuer_path_and_refusal", "issuer_ping", "issuer_tour"]
TOUR_HUNK = "@@ issuer_tour c1 frame 4 $.error_message (changed) @@"


@pytest.fixture
def project(pytester, corpus, monkeypatch):
    """A project: [tool.harness] with the issuer as legacy and its edited copy as candidate."""
    monkeypatch.setenv("PYTHONPATH", str(HERE))  # the test servers, for subprocess runs
    shutil.copytree(corpus, pytester.path / "recordings")
    write_config(pytester, EDITED)
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    return pytester


def write_config(pytester, candidate: str, waivers: str = "") -> None:
    pytester.makefile(".toml", pyproject=(
        f'[tool.harness]\nlegacy = "{ISSUER}"\ncandidate = "{candidate}"\nrecordings = "recordings"\n'
        'waivers_file = "waivers.toml"\nshim = ""\nconcurrency = 2\n'
        "[tool.harness.timeouts]\nquiet = 0.05\nframe = 2\n"
        "[tool.pytest.ini_options]\nasyncio_default_fixture_loop_scope = \"function\"\n"))
    pytester.makefile(".toml", waivers=waivers)


def test_one_test_per_recording_named_after_it(project):
    result = project.runpytest("--golden", "--collect-only", "-q")
    lines = result.stdout.lines
    for name in NAMES:
        assert f"recordings/{name}.jsonl::{name}" in lines
    assert "test_plain.py::test_plain" in lines
    assert not any("::" in line and "recordings/" in line for line in
                   project.runpytest("--collect-only", "-q").stdout.lines)  # only with --golden


def test_a_difference_fails_its_recording_with_the_diff(project):
    result = project.runpytest("--golden", "-p", "no:randomly")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([f"*{TOUR_HUNK}*", '-"Invalid username or password"', '+"Wrong username or password"',
                                 "FAILED recordings/issuer_tour.jsonl::issuer_tour*"])


def test_same_server_passes(project):
    write_config(project, ISSUER)
    project.runpytest("--golden").assert_outcomes(passed=4)


def test_waivers_apply_per_recording_and_unused_ones_fail(project):
    waiver = '[[waiver]]\nrecording = "issuer_tour"\npath = "$.error_message"\nreason = "clearer wording"\n'
    write_config(project, EDITED, waiver)
    project.runpytest("--golden").assert_outcomes(passed=4)
    stale = '[[waiver]]\nrecording = "issuer_ping"\npath = "$.x"\nreason = "stale"\n'
    write_config(project, EDITED, waiver + stale)
    result = project.runpytest("--golden")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*waivers.toml:5: unused waiver for issuer_ping $.x: stale*",
                                 "FAILED recordings/issuer_ping.jsonl::issuer_ping*"])


def test_waiver_for_an_unknown_recording_is_a_usage_error(project):
    write_config(project, EDITED, '[[waiver]]\nrecording = "gone"\npath = "$.x"\nreason = "r"\n')
    result = project.runpytest("--golden")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*waivers.toml:1: waiver for unknown recording 'gone'*"])


def test_keyword_selection(project):
    result = project.runpytest("--golden", "-k", "tour")
    result.assert_outcomes(failed=1, deselected=3)


def test_stop_at_first_failure(project):
    write_config(project, f"{SERVERS}:CloserServer")  # fails every recording
    result = project.runpytest("--golden", "-x", "recordings")
    result.assert_outcomes(failed=1)


def test_explicit_paths(project):
    only = project.runpytest("--golden", "recordings/issuer_ping.jsonl")
    only.assert_outcomes(passed=1)
    project.runpytest("--golden", "test_plain.py").assert_outcomes(passed=1)


def test_xdist(project):
    result = project.runpytest_subprocess("--golden", "-n", "2")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([f"*{TOUR_HUNK}*"])


def test_without_a_table(pytester):
    pytester.makefile(".toml", pyproject='[project]\nname = "x"\n[tool.pytest.ini_options]\n'
                                         'asyncio_default_fixture_loop_scope = "function"\n')
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = pytester.runpytest("--golden")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no [[]tool.harness[]] in*pyproject.toml*harness init*"])
    pytester.runpytest().assert_outcomes(passed=1)
