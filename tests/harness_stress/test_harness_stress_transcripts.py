"""Corrupt, truncated and malformed transcripts give `path:line: reason`; the other recordings still run."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.config import Timeouts
from harness.corpus import compare_corpus
from harness.errors import TranscriptError
from harness.transcript import load
from subject_trading.config import harness_config

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "recordings" / "hostile" / "hostile_non_object_json.jsonl"
FAST = harness_config(timeouts=Timeouts(connect=2, frame=2, quiet=0.05, quiet_max=0.5, recording=20, start=5),
                     concurrency=2, waivers_file="no-waivers.toml")


def good_lines() -> list[str]:
    return GOOD.read_text(encoding="utf-8").splitlines()


def mutate(lines: list[str], index: int, change) -> list[str]:
    out = list(lines)
    out[index] = change(out[index])
    return out


def with_kind(line: str, kind: str) -> str:
    event = json.loads(line)
    event["kind"] = kind
    return json.dumps(event)


CASES = {
    # name: (lines, expected line number, reason fragment)
    "truncated_last_line": (lambda ls: ls[:-1] + [ls[-1][: len(ls[-1]) // 2]], -1, ""),
    "corrupt_middle_line": (lambda ls: mutate(ls, 3, lambda l: l[:10] + "\x00}{" + l[10:]), 4, ""),
    "unknown_kind": (lambda ls: mutate(ls, 2, lambda l: with_kind(l, "teleport")), 3, "teleport"),
    "missing_meta": (lambda ls: ls[1:], 1, "meta"),
    "second_meta": (lambda ls: ls[:2] + [ls[0]] + ls[2:], 3, "meta"),
    "not_an_object": (lambda ls: ls[:2] + ["[1, 2]"] + ls[2:], 3, ""),
    "empty_file": (lambda ls: [], 1, ""),
    "binary_garbage": (lambda ls: ["\x89PNG\r\n\x1a\n" + "\ufffd" * 20], 1, ""),
}


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("\n".join(lines) + ("\n" if lines and name != "truncated_last_line" else ""), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_transcript_gives_path_and_line(tmp_path, name):
    build, line, fragment = CASES[name]
    lines = build(good_lines())
    path = write(tmp_path, name, lines)
    with pytest.raises(TranscriptError) as info:
        load(path)
    expected_line = len(lines) if line == -1 else line
    message = str(info.value)
    assert message.startswith(f"{path}:{expected_line}: "), message
    assert fragment in message
    assert "Traceback" not in message


@pytest.mark.parametrize("name", ["unknown_kind", "truncated_last_line"])
def test_cli_reports_bad_transcript_in_one_line(tmp_path, name):
    build, _, _ = CASES[name]
    path = write(tmp_path, name, build(good_lines()))
    proc = subprocess.run([sys.executable, "-m", "harness", "replay", str(path), "--target", "legacy", "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"harness: {path}:"), proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


async def test_bad_transcript_among_good_ones_does_not_stop_the_run(tmp_path):
    shutil.copy(GOOD, tmp_path / "a_good.jsonl")
    write(tmp_path, "b_unknown_kind", CASES["unknown_kind"][0](good_lines()))
    result = await compare_corpus("legacy", "legacy", [tmp_path], dataclasses.replace(FAST, root=tmp_path))
    by_name = {Path(r.path).stem: r for r in result.recordings}
    assert by_name["a_good"].ok
    assert "b_unknown_kind.jsonl:3:" in (by_name["b_unknown_kind"].error or "")


def test_cli_diff_goes_on_after_a_bad_transcript(tmp_path):
    shutil.copy(GOOD, tmp_path / "a_good.jsonl")
    write(tmp_path, "b_missing_meta", CASES["missing_meta"][0](good_lines()))
    out = tmp_path / "result.json"
    proc = subprocess.run([sys.executable, "-m", "harness", "diff", "--legacy", "legacy", "--candidate", "legacy",
                           str(tmp_path), "--json", str(out), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (1, 2), proc.stderr
    assert "Traceback" not in proc.stderr
    result = json.loads(out.read_text())
    by_name = {Path(r["path"]).stem: r for r in result["recordings"]}
    assert by_name["a_good"]["ok"], by_name["a_good"]
    assert "b_missing_meta.jsonl:1:" in by_name["b_missing_meta"]["error"]
