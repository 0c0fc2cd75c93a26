"""The example subject's verdicts: the faithful port passes its gate; the broken port fails it,
and the report names the recording, client, frame and JSON path of the slip."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(sys.executable).with_name("harness")
GATE_TIMEOUT = 900
MEASURED = ("golden", "complexity", "bench", "fuzz")


def gate(chat: Path, reports: Path, *options: str) -> tuple[subprocess.CompletedProcess, dict]:
    done = subprocess.run([str(HARNESS), "gate", "--quick", "--reports", str(reports), *options], cwd=chat,
                          capture_output=True, text=True, timeout=GATE_TIMEOUT)
    verdict = reports / "verdict.json"
    assert verdict.is_file(), done.stdout + done.stderr
    return done, json.loads(verdict.read_text())


@pytest.mark.timeout(GATE_TIMEOUT + 60)
def test_faithful_port_passes_golden_and_complexity(chat_legacy, tmp_path):
    """The deterministic gates, in the default run (.ci/run runs the whole quick gate)."""
    done, verdict = gate(chat_legacy, tmp_path, "--only", "golden", "complexity")
    assert done.returncode == 0, done.stdout + done.stderr
    assert verdict["gates"]["golden"]["figures"]["corpus"]["summary"].startswith("8 recordings: 8 match")
    assert verdict["gates"]["complexity"]["decision"] == "pass"


@pytest.mark.slow
@pytest.mark.timeout(GATE_TIMEOUT + 60)
def test_faithful_port_passes_every_gate(chat_legacy, tmp_path):
    done, verdict = gate(chat_legacy, tmp_path)
    decisions = {name: g["decision"] for name, g in verdict["gates"].items()}
    assert done.returncode == 0, f"{decisions}\n{done.stdout}\n{done.stderr}"
    assert {name: decisions[name] for name in MEASURED} == dict.fromkeys(MEASURED, "pass")
    assert "fail" not in decisions.values()
    # memory: measured when the gate measures a cmd: server; a skip must say why
    assert decisions["memory"] == "pass" or verdict["gates"]["memory"]["reason"]


@pytest.mark.timeout(GATE_TIMEOUT + 60)
def test_broken_port_fails_and_the_report_names_the_slip(chat_legacy, tmp_path):
    done, verdict = gate(chat_legacy, tmp_path, "--only", "golden", "--candidate", "asgi:port_broken:app")
    assert done.returncode == 1, done.stdout + done.stderr
    assert verdict["gates"]["golden"]["decision"] == "fail"
    report = (tmp_path / "report.md").read_text()
    assert "### broadcast_in_room: 1 difference(s)" in report
    assert "| c2 | 5 | `$.length` | changed | 9 | 8 |" in report
