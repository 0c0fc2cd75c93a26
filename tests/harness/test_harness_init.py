"""`harness init`: the table, the empty corpus and waivers, refusals with exit 2 and nothing written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from harness.cli import main
from harness.commands.init import Write, apply
from harness.config import load_config
from harness.corpus import compare_corpus_sync
from harness.waivers import load_waivers

HARNESS = Path(sys.executable).with_name("harness")


def _listing(directory: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(directory)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(directory.rglob("*"))}


def test_fresh_directory(tmp_path, capsys):
    assert main(["init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} == {"pyproject.toml", "recordings", "waivers.toml"}
    assert list((tmp_path / "recordings").iterdir()) == []
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["harness"]
    assert table == {"legacy": "ws://127.0.0.1:8080", "candidate": "ws://127.0.0.1:8081",
                     "recordings": "recordings", "waivers_file": "waivers.toml", "shim": ""}
    assert load_waivers(tmp_path / "waivers.toml") == []
    config = load_config(tmp_path / "pyproject.toml")  # the written table is a valid configuration
    assert config.legacy == "ws://127.0.0.1:8080" and config.shim == ""
    for command in ("harness record --upstream ws://127.0.0.1:8080", "harness diff", "harness gate"):
        assert command in out


def test_targets_from_the_command_line(tmp_path):
    assert main(["init", str(tmp_path), "--legacy", "legacy", "--candidate", "pkg.mod:Server"]) == 0
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["harness"]
    assert (table["legacy"], table["candidate"]) == ("legacy", "pkg.mod:Server")


def test_bad_target_writes_nothing(tmp_path, capsys):
    assert main(["init", str(tmp_path), "--legacy", "not a target"]) == 2
    assert "bad target" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_appends_to_an_existing_pyproject(tmp_path):
    original = '[project]\nname = "mine"  # keep this comment\n\n[tool.black]\nline-length = 100\n'
    (tmp_path / "pyproject.toml").write_text(original)
    (tmp_path / "pyproject.toml").chmod(0o640)
    assert main(["init", str(tmp_path)]) == 0
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(original)
    data = tomllib.loads(text)
    assert data["project"]["name"] == "mine" and data["tool"]["black"] == {"line-length": 100}
    assert data["tool"]["harness"]["recordings"] == "recordings"
    assert (tmp_path / "pyproject.toml").stat().st_mode & 0o777 == 0o640


def test_existing_waivers_and_recordings_are_kept(tmp_path):
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "a.jsonl").write_text("kept\n")
    (tmp_path / "waivers.toml").write_text("# mine\n")
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "waivers.toml").read_text() == "# mine\n"
    assert (tmp_path / "recordings" / "a.jsonl").read_text() == "kept\n"


def test_existing_table_is_refused(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.harness]\nlegacy = "legacy"\n')
    before = _listing(tmp_path)
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "[tool.harness] already exists" in err and "pyproject.toml" in err
    assert _listing(tmp_path) == before


@pytest.mark.parametrize("text", ['tool = { black = { line-length = 1 } }\n', "[project\n"])
def test_unusable_pyproject_is_refused(tmp_path, capsys, text):
    """A pyproject.toml that is not TOML, or one the table cannot be appended to."""
    (tmp_path / "pyproject.toml").write_text(text)
    assert main(["init", str(tmp_path)]) == 2
    assert "pyproject.toml" in capsys.readouterr().err
    assert _listing(tmp_path) == {"pyproject.toml": text.encode()}


def test_missing_directory(tmp_path, capsys):
    assert main(["init", str(tmp_path / "nowhere")]) == 2
    assert "not a directory" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None, reason="root without setpriv")
@pytest.mark.parametrize(("mode", "reason"), [(0o555, "not writable"), (0o000, "Permission denied")])
def test_unwritable_directory(mode, reason):
    """Run as an unprivileged user (root may write anywhere): exit 2 with the reason, nothing written."""
    target = Path(tempfile.mkdtemp(prefix="wsgm-init-"))
    (target / "pyproject.toml").write_text('[project]\nname = "x"\n')
    target.chmod(mode)
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    try:
        done = subprocess.run([*prefix, str(HARNESS), "init", str(target)], capture_output=True, text=True,
                              timeout=60)
        target.chmod(0o755)
        assert done.returncode == 2, done.stderr
        assert reason in done.stderr and "nothing written" in done.stderr and "Traceback" not in done.stderr
        assert _listing(target) == {"pyproject.toml": b'[project]\nname = "x"\n'}
    finally:
        target.chmod(0o755)
        shutil.rmtree(target)


def test_failed_staging_leaves_nothing(tmp_path):
    """A file that cannot be staged: the others are removed, nothing replaced, no directory made."""
    (tmp_path / "pyproject.toml").write_text("old\n")
    writes = [Write(tmp_path / "pyproject.toml", "new\n"), Write(tmp_path / "missing" / "waivers.toml", "x")]
    with pytest.raises(Exception, match="nothing written"):
        apply(writes, tmp_path / "recordings")
    assert _listing(tmp_path) == {"pyproject.toml": b"old\n"}


def test_initialised_project_runs(tmp_path, fast_timeouts):
    """The written table drives a diff once a recording is there (the worked subject on both sides,
    named by the aliases of a targets table the project adds)."""
    assert main(["init", str(tmp_path), "--legacy", "legacy", "--candidate", "legacy"]) == 0
    repository = Path(__file__).parents[2]
    targets = repository.joinpath("pyproject.toml").read_text().partition("[tool.harness.targets]")[2].split("\n[")[0]
    with (tmp_path / "pyproject.toml").open("a") as out:
        out.write(f"\n[tool.harness.targets]{targets}")
    shutil.copy(repository / "recordings" / "ping.jsonl", tmp_path / "recordings")
    config = load_config(tmp_path / "pyproject.toml")
    result = compare_corpus_sync(config.legacy, config.candidate, [config.resolve(config.recordings)], config)
    assert result.ok, result.summary()
