"""The golden master's strength in verdict.json's information block and in the reports."""

import json
import re
from pathlib import Path

import pytest

from harness.reports.model import report_view
from harness.reports.strength import NO_HISTORY, TITLE, strength_view
from harness.reports.trendchart import trend_svg
from harness.reports.write import write_reports
from harness.strength.report import information, update


def coverage(legacy_line: float, legacy_branch: float) -> dict:
    def target(name: str, line: float, branch: float, missing: list[str]) -> dict:
        return {
            "target": name,
            "package": name,
            "statements": 200,
            "covered_lines": int(2 * line),
            "branches": 100,
            "covered_branches": int(branch),
            "missing_branches": missing,
            "line_percent": line,
            "branch_percent": branch,
        }

    return {
        "corpus": ["recordings"],
        "targets": [
            target("legacy", legacy_line, legacy_branch, [f"legacy/websocket_server.py:{n}" for n in (193, "656-657")]),
            target("refactored", 91.0, 80.0, ["refactored/driver.py:78"]),
        ],
    }


MUTATION = {
    "mutation_sites": 1357,
    "sample": {"size": 40, "all": False, "seed": 0},
    "mutants_run": 40,
    "killed": 33,
    "survived": 5,
    "not_covered": 1,
    "equivalent": 2,
    "not_run": 0,
    "score_percent": 86.84,
    "confidence_95": [70.1, 91.2],
    "survivors": [
        {"path": "refactored/core/messages.py", "line": 32, "where": "refactored/core/messages.py:32",
         "description": "And ' and '", "selection": "covered", "status": "covered: 3 recordings", "killed": False},
        {"path": "refactored/driver.py", "line": 78, "description": "Name 'True'", "selection": "not covered"},
    ],
    "equivalents": [{"where": "refactored/stats.py:30", "declared": {"reason": "same output"}}, {"where": "x.py:1"}],
    "killed_by": [{"where": "refactored/engine.py:64", "by": "broadcast_after_unsubscribe"}],
}
OLD_MUTATION = {"mutants_run": 2, "killed": 1, "score_percent": 50.0, "killed_by": {"a.py:1": "stats"},
                "survivors": [{"path": "a.py", "line": 2, "where": "a.py:2", "description": "Name 'True'"}]}


@pytest.fixture
def with_history(tmp_path: Path) -> Path:
    """Two coverage runs and two mutation runs, written by the real writer."""
    path = tmp_path / "strength.json"
    update(path, "coverage", coverage(85.0, 80.0))
    update(path, "mutation", {**MUTATION, "score_percent": 80.0})
    update(path, "coverage", coverage(89.5, 89.79))
    update(path, "mutation", MUTATION)
    return path


@pytest.fixture
def without_history(tmp_path: Path) -> Path:
    path = tmp_path / "strength.json"
    update(path, "coverage", coverage(89.5, 89.79))
    return path


def test_block_has_coverage_mutation_and_trend(with_history: Path) -> None:
    block = information(with_history)
    assert block["gate"] is False and "not a gate" in block["note"] and block["source"] == str(with_history)
    legacy, candidate = block["coverage"]["targets"]
    assert block["coverage"]["measured"] and block["coverage"]["measured_at"]
    assert (legacy["target"], legacy["line_percent"], legacy["branch_percent"]) == ("legacy", 89.5, 89.79)
    assert legacy["unreached_branches"] == 11 and legacy["missing_branches"][1] == "legacy/websocket_server.py:656-657"
    assert candidate["missing_branches"] == ["refactored/driver.py:78"]
    mutation = block["mutation"]
    assert mutation["score_percent"] == 86.84 and mutation["mutation_sites"] == 1357 and mutation["killed"] == 33
    assert mutation["equivalent"] == 2 and mutation["not_covered"] == 1 and "equivalents" not in mutation
    assert mutation["confidence_95"] == [70.1, 91.2] and mutation["sample"]["size"] == 40
    assert "killed_by" not in mutation
    assert mutation["survivors"] == [
        {"where": "refactored/core/messages.py:32", "description": "And ' and '", "kind": "covered: 3 recordings"},
        {"where": "refactored/driver.py:78", "description": "Name 'True'", "kind": "not covered"},
    ]
    score = block["trend"]["mutation_score_percent"]
    assert (score["previous"], score["now"], score["change"]) == (80.0, 86.84, 6.84)
    assert [p["value"] for p in score["series"]] == [80.0, 86.84]
    assert block["trend"]["legacy_line_percent"]["change"] == 4.5
    json.dumps(block)


def test_earlier_mutation_layout_is_read(tmp_path: Path) -> None:
    path = tmp_path / "strength.json"
    update(path, "mutation", OLD_MUTATION)
    mutation = information(path)["mutation"]
    assert mutation["measured"] and mutation["score_percent"] == 50.0 and "killed_by" not in mutation
    assert mutation["survivors"] == [{"where": "a.py:2", "description": "Name 'True'", "kind": ""}]


def test_single_run_has_no_previous_and_mutation_not_measured(without_history: Path) -> None:
    block = information(without_history)
    assert block["coverage"]["measured"]
    assert block["mutation"] == {
        "measured": False,
        "note": "not measured yet: not in the strength report (run `harness mutate`)",
    }
    assert block["trend"]["legacy_line_percent"]["previous"] is None
    assert block["trend"]["legacy_line_percent"]["change"] is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no strength report at"),
        ('{"coverage": ', ":1: not valid JSON"),
        ("[1, 2]", "not a JSON object"),
    ],
)
def test_missing_or_malformed_file_is_noted(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "strength.json"
    if content is not None:
        path.write_text(content)
    block = information(path)
    for section in ("coverage", "mutation"):
        assert block[section]["measured"] is False and expected in block[section]["note"]
    assert block["trend"] == {}


def test_malformed_sections_and_history_are_noted_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "strength.json"
    report = {
        "coverage": {"targets": "none"},
        "mutation": {"killed": 3},
        "history": [1, {"at": "t", "figures": {"x_percent": "high", "y_percent": True, "z_percent": 5}}],
    }
    path.write_text(json.dumps(report))
    block = information(path)
    assert "coverage section is unreadable" in block["coverage"]["note"]
    assert "mutation section is unreadable" in block["mutation"]["note"]
    assert list(block["trend"]) == ["z_percent"]
    path.write_text(json.dumps({"history": "none"}))
    assert information(path)["trend"] == {}


def page_and_markdown(tmp_path: Path, block: dict) -> tuple[str, str]:
    document = {"decision": "pass", "reason": "all gates passed", "gates": {}, "information": {"strength": block}}
    write_reports(document, tmp_path / "out")
    return (tmp_path / "out" / "report.html").read_text(), (tmp_path / "out" / "report.md").read_text()


def strength_section(page: str) -> str:
    return page[page.index('<section id="strength">') : page.index("</section>", page.index('id="strength"'))]


def test_html_shows_figures_survivors_unreached_and_chart(tmp_path: Path, with_history: Path) -> None:
    page, text = page_and_markdown(tmp_path, information(with_history))
    section = strength_section(page)
    assert f"<h2>{TITLE}</h2>" in section and "not a gate" in section
    for expected in ("89.5 % (179 of 200 lines)", "mutation score %", "86.84", "declared equivalent",
                     "refactored/core/messages.py:32", "not covered", "[70.1, 91.2]", "confidence interval", "<details><summary>legacy: 11 branches",
                     "legacy/websocket_server.py:656-657", "+6.84"):
        assert expected in section, expected
    chart = section[section.index("<svg") : section.index("</svg>")]
    assert chart.count("<polyline") == 5 and "<title>mutation score %: 86.84" in chart
    assert not re.search(r"<(link|script|img)\b", page) and "href=" not in chart
    assert page.index("<h2>Gates") < page.index('id="strength"')
    assert f"## {TITLE}" in text and "| mutation score % | 80.0 | 86.84 | +6.84 |" in text


def test_html_without_history_says_so(tmp_path: Path, without_history: Path) -> None:
    page, text = page_and_markdown(tmp_path, information(without_history))
    section = strength_section(page)
    assert NO_HISTORY in section and "<svg" not in section
    assert "not measured yet: not in the strength report (run `harness mutate`)" in section
    assert NO_HISTORY in text


def test_verdict_without_block_is_shown_as_not_measured(tmp_path: Path) -> None:
    view = report_view({"decision": "pass"}).strength
    assert all("not measured" in s.note for s in view.sections) and not view.series
    page, _ = page_and_markdown(tmp_path / "missing", information(tmp_path / "nope.json"))
    assert "no strength report at" in strength_section(page)


def test_chart_scales_within_percent_range() -> None:
    view = strength_view({"trend": {"a_percent": {"series": [{"at": "t1", "value": 100}, {"at": "t2", "value": 100}]}}})
    svg = trend_svg(view.series)
    assert svg.startswith("<svg") and ">100 %<" in svg and ">98 %<" in svg
    assert trend_svg(()) == ""
