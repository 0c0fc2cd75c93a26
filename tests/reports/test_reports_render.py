"""Reports: Markdown, self-contained HTML (rendered in headless Chromium), JUnit XML."""

import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import harness.reports
from harness.gates.bench.storage import write_benchmark_json
from harness.gates.complexity import complexity_gate
from harness.gates.bench.timing import PairedTimings
from harness.reports.write import write_reports
from harness.strength.report import information, update

DIFF = {
    "recording": "auth_errors",
    "client": "c1",
    "kind": "changed",
    "frame": 3,
    "actual_frame": 3,
    "path": "$.error_code",
    "expected": "invalid_json",
    "actual": "bad_json",
}
WAIVED = {
    "difference": {**DIFF, "path": "$.connections.by_state.connecting", "expected": 1, "actual": 0},
    "waiver": {
        "recording": "stats",
        "path": "$.connections.by_state.connecting",
        "reason": "legacy counts ghost connections",
    },
}


def document(decision: str = "fail") -> dict:
    corpus = {
        "recordings": [
            {"name": "auth_errors", "ok": False, "error": None, "differences": [DIFF], "waived": [], "noise": []},
            {
                "name": "stats",
                "ok": True,
                "error": None,
                "differences": [],
                "waived": [WAIVED],
                "noise": ["$.timestamp", "$.client_id"],
            },
            {
                "name": "crash",
                "ok": False,
                "error": "candidate refused the connection",
                "differences": [],
                "waived": [],
                "noise": [],
            },
        ],
        "unused_waivers": [],
    }
    gates = {
        "golden": {
            "name": "golden",
            "decision": "fail",
            "passed": False,
            "summary": "s",
            "reason": "1 unwaived difference(s)",
            "figures": {"recordings": 3, "corpus": corpus},
            "thresholds": {"unwaived_differences": 0},
            "artifacts": {},
        },
        "bench": {
            "name": "bench",
            "decision": "pass",
            "passed": True,
            "summary": "s",
            "reason": "candidate/legacy time ratio 0.990 (<= 1.05)",
            "figures": {
                "ratio": 0.99,
                "spread": {"q1": 0.97, "q3": 1.01, "min": 0.9, "max": 1.1},
                "attempts": [0.99],
                "workloads": {},
            },
            "thresholds": {"max_ratio": 1.05},
            "artifacts": {"benchmark_json": "bench.json"},
        },
        "memory": {
            "name": "memory",
            "decision": "pass",
            "passed": True,
            "summary": "s",
            "reason": "ok",
            "figures": {
                "legacy": {"bytes_per_replay": 900.0, "peak_bytes": 1},
                "candidate": {"bytes_per_replay": 800.0, "peak_bytes": 1},
                "allowed_bytes_per_replay": 1246.0,
                "bounded": {},
            },
            "thresholds": {},
            "artifacts": {"candidate_leaks_flamegraph": "memray/candidate-leaks.html"},
        },
    }
    gates["complexity"] = complexity_gate(Path(harness.reports.__file__).parent).to_dict()
    return {
        "decision": decision,
        "exit_code": 1,
        "reason": "gates failed: golden (candidate differs)",
        "legacy": "legacy",
        "candidate": "refactored",
        "quick": True,
        "complete": True,
        "shim": {"exposed": "legacy"},
        "gates": gates,
        "errors": {"bounded": "radon exploded"},
        "versions": {"python": "3.11"},
        "started_at": "t0",
        "finished_at": "t1",
    }


def strength_report(path: Path) -> Path:
    """Two coverage runs, so the report has a trend to chart."""
    for line in (80.0, 89.5):
        target = {"target": "legacy", "statements": 10, "covered_lines": 9, "branches": 4, "covered_branches": 3,
                  "missing_branches": ["legacy/websocket_server.py:193"], "line_percent": line, "branch_percent": 75.0}
        update(path, "coverage", {"corpus": ["recordings"], "targets": [target]})
    return path


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    timings = [PairedTimings(w, 10, [0.010, 0.011, 0.012], [0.011, 0.010, 0.013]) for w in ("round_trips", "fan_out")]
    write_benchmark_json(tmp_path / "bench.json", timings, {"legacy": "legacy", "candidate": "refactored"})
    (tmp_path / "bench.txt").write_text("Name (time in us)  Min  Median\nround_trips[legacy]  1.0  2.0\n")
    verdict = {**document(), "information": {"strength": information(strength_report(tmp_path / "strength.json"))}}
    write_reports(verdict, tmp_path)
    return tmp_path


def test_markdown_has_verdict_first_and_every_part(reports: Path) -> None:
    text = (reports / "report.md").read_text()
    assert text.startswith("# Verdict: FAIL\n")
    assert "gates failed: golden" in text.splitlines()[2] and "the shim exposes legacy" in text
    for expected in (
        "`$.error_code`",
        "invalid_json",
        "bad_json",
        "legacy counts ghost connections",
        "`$.client_id`",
        "candidate refused the connection",
        "![latency",
        "latency.svg",
        "[memray/candidate-leaks.html](memray/candidate-leaks.html)",
        "candidate/legacy time ratio",
        "radon exploded",
        "| candidate | reports/html.py |",
        "round_trips[legacy]  1.0  2.0",
    ):
        assert expected in text, expected


def test_html_is_self_contained(reports: Path) -> None:
    page = (reports / "report.html").read_text()
    assert "<style>" in page and "<svg" in page
    assert not re.search(r"<(link|script|img)\b", page)
    assert 'href="memray/candidate-leaks.html"' in page and "round_trips[legacy]" in page
    assert page.index('id="verdict"') < page.index("<h2>Gates") < page.index('id="strength"')
    assert "Golden-master strength (information)" in page and "<polyline" in page


def test_junit_has_a_case_per_gate_and_recording(reports: Path) -> None:
    root = ET.parse(reports / "junit.xml").getroot()
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    assert set(cases) == {
        ("gates", "golden"),
        ("gates", "bench"),
        ("gates", "memory"),
        ("gates", "complexity"),
        ("gates", "bounded"),
        ("recordings", "auth_errors"),
        ("recordings", "stats"),
        ("recordings", "crash"),
    }
    assert cases["gates", "golden"].find("failure") is not None
    assert cases["gates", "bounded"].find("error") is not None
    assert cases["gates", "complexity"].find("failure") is None
    assert cases["gates", "bench"].find("failure") is None
    properties = {p.get("name"): p.get("value") for p in cases["gates", "bench"].iter("property")}
    assert properties["candidate/legacy time ratio"] == "0.99"
    assert "$.error_code" in cases["recordings", "auth_errors"].find("failure").text
    assert cases["recordings", "crash"].find("error") is not None


CHECK = """<script>
const h = document.getElementById("verdict"), s = getComputedStyle(h);
const st = document.getElementById("strength"), chart = st.querySelector("svg polyline");
document.body.setAttribute("data-check", [h.textContent, s.color, s.backgroundColor,
  document.querySelectorAll("svg").length, h.getBoundingClientRect().height > 10,
  st.getBoundingClientRect().height > 100, chart.getBoundingClientRect().width > 50,
  st.querySelectorAll("details").length].join("|"));
</script></body>"""


def chromium() -> str:
    found = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    return found


def test_html_renders_verdict_in_headless_chromium(reports: Path) -> None:
    browser = chromium()
    probe = reports / "probe.html"
    probe.write_text((reports / "report.html").read_text().replace("</body>", CHECK))
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--dump-dom",
                probe.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    match = re.search(r'data-check="([^"]*)"', proc.stdout)
    assert match, proc.stderr[-500:]
    text, colour, background, svgs, visible, strength, chart, details = match.group(1).split("|")
    assert text.startswith("Verdict: FAIL") and "legacy" in text
    assert colour != background and visible == "true"
    assert int(svgs) >= 2 and strength == "true" and chart == "true" and details == "1"
