"""Record with the harness core, then `harness gate` on a changed candidate: verdict, shim, reports."""

import json
import shutil
import sys
from pathlib import Path

import pytest

from harness.cli import main

SCENARIO = """
from harness.scenario import scenario


@scenario(name="pings", tags=["protocol"], settings={"rate_limit": 1000})
async def pings(s):
    c = await s.connect("c1")
    await c.recv()
    await c.send({"type": "ping", "id": 1})
    await c.recv()
    await c.send({"type": "nope", "id": 2})
    await c.recv()
"""


def project(tmp_path: Path, legacy: str) -> Path:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "pings.py").write_text(SCENARIO)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.harness]\nrecordings = "recs"\nwaivers_file = "recs/waivers.toml"\n'
    )
    args = ["record-scenarios", str(tmp_path / "scenarios"), "--target", legacy, "--out", str(tmp_path / "recs")]
    assert main(args) == 0
    return tmp_path / "pyproject.toml"


def gate(config: Path, candidate: str, legacy: str) -> tuple[int, dict, str]:
    root = config.parent
    code = main(
        [
            "gate",
            "--only",
            "golden",
            "--legacy",
            legacy,
            "--candidate",
            candidate,
            "--config",
            str(config),
            "--reports",
            str(root / "reports"),
            "--shim",
            str(root / "shim.py"),
        ]
    )
    verdict = json.loads((root / "reports" / "verdict.json").read_text())
    return code, verdict, (root / "shim.py").read_text() if (root / "shim.py").exists() else ""


def test_changed_candidate_fails_golden_and_report_names_it(fakes_on_path: str, tmp_path: Path) -> None:
    config = project(tmp_path, "gates_fake_servers:FakeServer")
    code, verdict, shim = gate(config, "gates_fake_servers:FakeServer", "gates_fake_servers:FakeServer")
    assert code == 0 and verdict["gates"]["golden"]["reason"] == "1 of 1 recordings match" and shim == ""
    code, verdict, shim = gate(config, "gates_fake_servers:ChangedServer", "gates_fake_servers:FakeServer")
    assert code == 1 and 'EXPOSED = "legacy"' in shim and "golden" in shim
    report = (tmp_path / "reports" / "report.md").read_text()
    assert report.startswith("# Verdict: FAIL") and "`$.extra`" in report
    assert "$.extra" in (tmp_path / "reports" / "junit.xml").read_text()


@pytest.mark.slow
def test_refactored_copy_with_changed_error_code_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the refactored package with one changed error code gets a failing verdict."""
    pytest.importorskip("legacy.websocket_server")
    source = Path(__file__).resolve().parents[2] / "refactored"
    shutil.copytree(source, tmp_path / "pkg" / "mutant", ignore=shutil.ignore_patterns("__pycache__"))
    assert main(["migrate", str(tmp_path / "pkg" / "mutant"), "--from", "refactored", "--to", "mutant"]) == 0
    changed = 0
    for path in (tmp_path / "pkg" / "mutant").rglob("*.py"):
        text = path.read_text()
        if '"invalid_message_type"' in text:
            path.write_text(text.replace('"invalid_message_type"', '"unknown_message_type"'))
            changed += 1
    assert changed, "no error code to change"
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    monkeypatch.delitem(sys.modules, "mutant", raising=False)
    config = project(tmp_path, "legacy")
    code, verdict, shim = gate(config, "mutant:WebSocketAPIServer", "legacy")
    assert code == 1, verdict["gates"]["golden"]["reason"]
    assert "unknown_message_type" in (tmp_path / "reports" / "report.md").read_text()
    assert 'EXPOSED = "legacy"' in shim


def test_gate_reads_the_target_aliases_of_the_given_config_from_anywhere(
    fakes_on_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path, "gates_fake_servers:FakeServer")
    with config.open("a") as out:
        out.write('legacy = "old"\ncandidate = "new"\n'
                  '[tool.harness.targets]\naliases = { old = "gates_fake_servers:FakeServer", '
                  'new = "gates_fake_servers:FakeServer" }\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no pyproject.toml here: the aliases exist only in --config
    code = main(["gate", "--only", "golden", "api", "complexity", "--config", str(config),
                 "--reports", str(tmp_path / "reports")])
    verdict = json.loads((tmp_path / "reports" / "verdict.json").read_text())
    decisions = {name: gate["decision"] for name, gate in verdict["gates"].items()}
    assert code == 0, verdict
    assert decisions == {"golden": "pass", "api": "pass", "complexity": "pass"}


def test_gate_runs_another_projects_servers_from_this_directory(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their import path and their relative command resolve in their project, not in the
    working directory (this repository, which has a configuration of its own)."""
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    here = Path(__file__).parent
    shutil.copy(here / "gates_fake_servers.py", theirs / "their_servers.py")
    shutil.copy(here / "gates_fake_servers.py", theirs / "gates_fake_servers.py")
    shutil.copy(here / "gates_fake_command.py", theirs / "their_command.py")
    shutil.copytree(corpus, theirs / "recs")
    (theirs / "pyproject.toml").write_text(
        "[tool.harness]\n"
        f'legacy = "cmd:{sys.executable} their_command.py FakeServer {{port}}"\n'
        'candidate = "their_servers:FakeServer"\nrecordings = "recs"\nshim = ""\n'
    )
    monkeypatch.setattr(sys, "path", list(sys.path))  # the project's directory joins it
    monkeypatch.chdir(Path(__file__).parents[2])
    config = str(theirs / "pyproject.toml")
    code = main(["gate", "--only", "golden", "complexity", "--config", config, "--reports", str(tmp_path / "reports")])
    verdict = json.loads((tmp_path / "reports" / "verdict.json").read_text())
    assert code == 0, verdict
    assert {name: gate["decision"] for name, gate in verdict["gates"].items()} == {"golden": "pass", "complexity": "pass"}
    assert main(["fuzz", "--config", config, "--max-examples", "6", "--quiet"]) == 0
