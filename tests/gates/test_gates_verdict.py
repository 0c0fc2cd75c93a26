"""harness gate: verdict.json, shim rewrite, idempotency, exit codes, partial runs."""

import argparse
import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.gates import command
from harness.config import HarnessConfig
from harness.gates.result import GateError, GateResult, NotApplicable
from harness.gates.runners import GATES
from harness.strength.report import update


def gate(name: str, passed: bool = True, ratio: float = 1.0):
    def run(options):
        return GateResult(
            name,
            passed,
            f"{name} summary {'ok' if passed else 'bad'}",
            f"{name} ratio {ratio}",
            figures={"ratio": ratio},
            thresholds={"max": 1.05},
        )

    return run


def broken(options):
    raise GateError("memory: tracked run failed")


def table(**overrides):
    return {name: overrides.get(name, gate(name)) for name in GATES}


@pytest.fixture
def run_gate(tmp_path: Path):
    def run(gates, *extra: str) -> tuple[int, dict, Path]:
        parser = argparse.ArgumentParser()
        command.register(parser.add_subparsers())
        shim = tmp_path / "compat" / "__init__.py"
        args = parser.parse_args(
            [
                "gate",
                "--reports",
                str(tmp_path / "reports"),
                "--shim",
                str(shim),
                "--config",
                str(tmp_path / "none.toml"),
                *extra,
            ]
        )
        code = command.run(args, gates)
        return code, json.loads((tmp_path / "reports" / "verdict.json").read_text()), shim

    return run


def test_all_pass_exposes_candidate(run_gate) -> None:
    code, verdict, shim = run_gate(table())
    assert code == 0 and verdict["decision"] == "pass" and verdict["exit_code"] == 0
    assert set(verdict["gates"]) == set(GATES)
    assert verdict["gates"]["bench"]["figures"] == {"ratio": 1.0}
    assert verdict["thresholds"]["bench"] == {"max": 1.05}
    assert {"python", "websockets", "radon", "memray", "libcst"} <= set(verdict["versions"])
    assert verdict["started_at"] <= verdict["finished_at"]
    text = shim.read_text()
    assert "from refactored import WebSocketAPIServer\n" in text and 'EXPOSED = "refactored"' in text
    assert verdict["shim"] == {"path": str(shim), "exposed": "refactored", "changed": True}
    reports = shim.parent.parent / "reports"
    assert {"report.md", "report.html", "junit.xml"} <= {p.name for p in reports.iterdir()}


def test_rerun_with_other_figures_changes_nothing(run_gate) -> None:
    run_gate(table())
    _, _, shim = run_gate(table())
    before = shim.read_bytes(), shim.stat().st_mtime_ns
    code, verdict, _ = run_gate(table(bench=gate("bench", ratio=1.01)))
    assert code == 0 and verdict["shim"]["changed"] is False
    assert (shim.read_bytes(), shim.stat().st_mtime_ns) == before


def test_failed_gate_falls_back_to_legacy_and_names_the_cause(run_gate) -> None:
    run_gate(table())
    code, verdict, shim = run_gate(table(bench=gate("bench", passed=False, ratio=1.3)))
    assert code == 1 and verdict["decision"] == "fail"
    text = shim.read_text()
    assert "from legacy.websocket_server import WebSocketAPIServer\n" in text
    assert 'EXPOSED = "legacy"' in text and "bench failed (bench summary bad)" in text
    assert "1.3" not in text  # figures stay out of the shim
    assert "bench" in verdict["reason"]


def test_harness_error_gives_exit_2_and_legacy(run_gate) -> None:
    code, verdict, shim = run_gate(table(memory=broken, bench=gate("bench", passed=False)))
    assert code == 2 and verdict["errors"] == {"memory": "memory: tracked run failed"}
    assert 'EXPOSED = "legacy"' in shim.read_text()
    assert verdict["reason"] == "memory could not run (harness error); bench failed (bench summary bad)"
    assert set(verdict["gates"]) == set(GATES) - {"memory"}


def test_partial_run_that_passes_keeps_the_shim(run_gate) -> None:
    run_gate(table(golden=gate("golden", passed=False)))
    _, _, shim = run_gate(table(golden=gate("golden", passed=False)))
    before = shim.read_text()
    code, verdict, _ = run_gate({"complexity": gate("complexity")})
    assert code == 0 and verdict["shim"]["exposed"] == "unchanged" and not verdict["complete"]
    assert shim.read_text() == before


def test_selected_gates_keep_order() -> None:
    assert list(command.selected(["bench", "golden"])) == ["golden", "bench"]
    assert list(command.selected(None)) == list(GATES)


def test_usage_errors_exit_2(capsys) -> None:
    assert main(["gate", "--only", "nosuch"]) == 2
    assert main(["migrate", "/nonexistent/path"]) == 2
    assert "no such file" in capsys.readouterr().err


SIMPLE = "def ok(x):\n    return x\n"
COMPLEX = "def busy(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12)) + "    return 0\n"


@pytest.mark.parametrize(("source", "expected"), [(SIMPLE, 0), (COMPLEX, 1)])
def test_real_complexity_gate_through_the_cli(tmp_path: Path, monkeypatch, source: str, expected: int) -> None:
    (tmp_path / "candpkg").mkdir()
    (tmp_path / "candpkg" / "__init__.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    shim = tmp_path / "shim.py"
    code = main(
        [
            "gate",
            "--only",
            "complexity",
            "--candidate",
            "candpkg:Server",
            "--legacy",
            "candpkg:Server",
            "--reports",
            str(tmp_path / "r"),
            "--shim",
            str(shim),
            "--config",
            str(tmp_path / "none.toml"),
        ]
    )
    assert code == expected
    verdict = json.loads((tmp_path / "r" / "verdict.json").read_text())
    assert verdict["gates"]["complexity"]["decision"] == ("pass" if expected == 0 else "fail")
    assert shim.exists() == (expected == 1)  # a failure falls back to legacy; a partial pass leaves it


COVERAGE = {
    "corpus": ["recordings"],
    "targets": [
        {"target": "legacy", "statements": 10, "covered_lines": 5, "branches": 4, "covered_branches": 1,
         "missing_branches": ["legacy/websocket_server.py:193"], "line_percent": 50.0, "branch_percent": 25.0},
    ],
}
WEAK_MUTATION = {"mutation_sites": 9, "mutants_run": 4, "killed": 0, "survived": 4, "score_percent": 0.0,
                 "survivors": [{"where": "refactored/engine.py:64", "description": "Name 'True'"}]}


def measured(path: Path) -> None:
    """A weak golden master, measured twice: the worst figures still change nothing."""
    for section, data in (("coverage", COVERAGE), ("mutation", WEAK_MUTATION)) * 2:
        update(path, section, data)


STRENGTH = {
    "measured": measured,
    "missing": lambda path: None,
    "malformed": lambda path: path.write_text('{"coverage": [', encoding="utf-8"),
}


@pytest.mark.parametrize("strength", STRENGTH)
@pytest.mark.parametrize(("bench_passes", "expected"), [(True, 0), (False, 1)])
def test_strength_is_information_and_never_changes_the_decision(
    run_gate, tmp_path: Path, strength: str, bench_passes: bool, expected: int
) -> None:
    (tmp_path / "reports").mkdir()
    STRENGTH[strength](tmp_path / "reports" / "strength.json")
    code, verdict, _ = run_gate(table(bench=gate("bench", passed=bench_passes)))
    assert code == expected == verdict["exit_code"]
    assert verdict["decision"] == ("pass" if bench_passes else "fail")
    assert verdict["reason"] == ("all gates passed: " + ", ".join(GATES) if bench_passes else
                                 "bench failed (bench summary bad)")
    assert "strength" not in verdict["gates"] and "strength" not in verdict["thresholds"]
    block = verdict["information"]["strength"]
    assert block["gate"] is False and block["source"] == str(tmp_path / "reports" / "strength.json")
    assert block["mutation"]["measured"] is (strength == "measured")
    page = (tmp_path / "reports" / "report.html").read_text()
    assert 'id="strength"' in page


def test_verdict_carries_figures_trend_and_notes(run_gate, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.json"
    measured(other)
    _, verdict, _ = run_gate(table(), "--strength", str(other))
    block = verdict["information"]["strength"]
    assert block["source"] == str(other)
    assert block["coverage"]["targets"][0]["missing_branches"] == ["legacy/websocket_server.py:193"]
    survivor = {"where": "refactored/engine.py:64", "description": "Name 'True'", "kind": ""}
    assert block["mutation"]["survivors"] == [survivor]
    assert block["trend"]["mutation_score_percent"]["previous"] == 0.0
    assert len(block["trend"]["legacy_line_percent"]["series"]) == 2
    _, verdict, _ = run_gate(table())
    assert "no strength report at" in verdict["information"]["strength"]["coverage"]["note"]


def not_applicable(options):
    raise NotApplicable("memory: the target is a URL the harness does not start")


def test_skipped_gate_is_reported_and_does_not_fail(run_gate, tmp_path: Path) -> None:
    code, verdict, shim = run_gate(table(memory=not_applicable))
    assert code == 0 and verdict["decision"] == "pass"
    memory = verdict["gates"]["memory"]
    assert memory["decision"] == "skipped" and memory["skipped"] and "does not start" in memory["reason"]
    assert verdict["reason"].endswith("; skipped: memory") and "memory," not in verdict["reason"]
    assert 'EXPOSED = "refactored"' in shim.read_text()
    junit = (tmp_path / "reports" / "junit.xml").read_text()
    assert '<skipped message="memory: the target is a URL' in junit and 'skipped="1"' in junit
    assert "| memory | skipped |" in (tmp_path / "reports" / "report.md").read_text()


def test_required_gate_that_skips_fails(run_gate) -> None:
    code, verdict, shim = run_gate(table(memory=not_applicable), "--require", "memory", "bench")
    assert code == 1 and verdict["decision"] == "fail"
    memory = verdict["gates"]["memory"]
    assert memory["decision"] == "fail" and memory["reason"].startswith("required, but skipped: memory:")
    assert verdict["reason"] == "memory failed (required, but skipped)"
    assert 'EXPOSED = "legacy"' in shim.read_text()


def test_shim_off_writes_verdict_and_reports_only(run_gate, tmp_path: Path, capsys) -> None:
    code, verdict, shim = run_gate(table(), "--shim", "")
    assert code == 0 and verdict["shim"] == {"path": None, "exposed": "off", "changed": False}
    assert not shim.exists() and not (Path.cwd() / "shim.py").exists()
    assert "no shim (no import rewritten)" in (tmp_path / "reports" / "report.md").read_text()


def test_configured_empty_shim_is_off(tmp_path: Path) -> None:
    config = HarnessConfig(shim="", root=tmp_path)
    assert command.shim_path(None, config) is None
    assert command.shim_path("other.py", config) == Path("other.py")
    assert command.shim_path(None, HarnessConfig(shim="s.py", root=tmp_path)) == tmp_path / "s.py"


def test_candidate_named_by_module_is_exposed_by_its_module() -> None:
    from harness.verdict import exposed_name

    assert exposed_name("refactored", "refactored") == "refactored"
    assert exposed_name("pkg.server:App", "pkg.server") == "pkg.server"
