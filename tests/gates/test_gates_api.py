"""The api gate: griffe and inspect compare the legacy and candidate classes; api waivers; skipped."""

import itertools
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import ConfigError
from harness.gates.api.gate import api_gate
from harness.gates.api.waivers import load_api_waivers
from harness.gates.result import GateError
from harness.waivers import load_waivers

ROOT = Path(__file__).resolve().parents[2]
WAIVERS = ROOT / "recordings" / "waivers.toml"
NUMBERS = itertools.count()

OLD = '''
class Server:
    """The old class."""

    limit = 3

    def __init__(self, host="localhost", port=8080):
        self.host = host
        self.port = port
        self._setup()

    def _setup(self):
        self.table = {}

    async def start(self, timeout=5):
        """Start.

        Raises:
            RuntimeError: when already started.
        """

    def stats(self):
        if self.port < 0:
            raise ValueError("port")
        return {}

    @property
    def status(self):
        return "ok"
'''


@pytest.fixture
def pair(tmp_path, monkeypatch):
    """Write an old and a new module from source texts; their targets."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def make(new_source: str, old_source: str = OLD) -> tuple[str, str]:
        n = next(NUMBERS)
        (tmp_path / f"api_old_{n}.py").write_text(textwrap.dedent(old_source))
        (tmp_path / f"api_new_{n}.py").write_text(textwrap.dedent(new_source))
        return f"api_old_{n}:Server", f"api_new_{n}:Server"

    return make


def judge(targets, waivers=Path("none.toml"), timeout=5.0):
    return api_gate(*targets, waivers, timeout)


def changes(result):
    return {(d["member"], d["change"]) for d in result.figures["unwaived"]}


def test_identical_surface_passes(pair):
    result = judge(pair(OLD))
    assert result.passed and result.decision == "pass"
    assert result.figures["members_compared"] == 8  # __init__, limit, host, port, table, start, stats, status
    assert result.figures["differences"] == 0


def test_each_kind_of_difference_is_named(pair):
    new = OLD.replace("self._setup()", "") \
        .replace("async def start(self, timeout=5)", "def start(self, timeout=10)") \
        .replace('raise ValueError("port")', 'raise KeyError("port")') \
        .replace("self.port = port", "self.port = float(port)") \
        .replace("    limit = 3\n", "    def limit(self):\n        return 3\n")
    result = judge(pair(new))
    assert not result.passed and result.decision == "fail"
    assert changes(result) == {
        ("table", "removed"),  # set outside __init__: only the runtime half sees it
        ("start", "signature"),
        ("start", "coroutine"),
        ("stats", "exceptions"),
        ("port", "attribute type"),
        ("limit", "kind"),
    }
    assert "start: signature (Parameter default was changed" in result.reason
    assert "stats: exceptions (legacy {ValueError}, candidate {KeyError})" in result.reason


def test_documented_exceptions_count(pair):
    result = judge(pair(OLD.replace("RuntimeError: when already started.", "OSError: when the port is taken.")))
    assert changes(result) == {("start", "exceptions")}
    assert "legacy {RuntimeError}, candidate {OSError}" in result.reason


def test_renamed_parameter_and_removed_method(pair):
    result = judge(pair(OLD.replace("def stats(self)", "def statistics(self)").replace("timeout=5", "wait=5")))
    assert {("stats", "removed"), ("start", "signature")} <= changes(result)
    assert "stats: removed" in result.reason


def test_a_property_may_stand_for_an_attribute_and_additions_pass(pair):
    new = OLD.replace("self.host = host", "self._host = host") + textwrap.indent(textwrap.dedent('''
        @property
        def host(self):
            return self._host

        def extra(self):
            return 1
        '''), "    ")
    result = judge(pair(new))
    assert result.passed, result.reason
    assert result.figures["additions"] == ["extra"]


def test_candidate_that_cannot_be_built_with_defaults(pair):
    result = judge(pair(OLD.replace('host="localhost"', "host")))
    assert changes(result) == {("__init__", "signature"), ("__init__", "construction")}
    assert "__init__: construction (construction with default arguments fails: TypeError" in result.reason


def test_construction_is_bounded_and_must_not_listen(pair):
    slow = "import time\n" + OLD.replace("self._setup()", "time.sleep(2)")
    with pytest.raises(GateError, match="took over 0.3 s"):
        judge(pair(slow), timeout=0.3)
    listening = "import socket\n" + OLD.replace("self._setup()", textwrap.indent(textwrap.dedent('''
        self._setup()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()'''), "        ").lstrip())
    with pytest.raises(GateError, match="opened a listening socket"):
        judge(pair(listening))


def test_api_waivers_waive_and_unused_ones_fail(pair, tmp_path):
    targets = pair(OLD.replace("def stats(self)", "def statistics(self)"))
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(textwrap.dedent('''
        [[waiver]]
        recording = "some_recording"
        path = "$.a"
        reason = "a wire waiver, not read by the api gate"

        [[waiver]]
        kind = "api"
        member = "stats"
        change = "removed"
        reason = "statistics() replaces it"

        [[waiver]]
        kind = "api"
        member = "port"
        reason = "never differs"
        '''))
    result = judge(targets, waivers)
    assert not result.passed and result.summary == "unused api waivers"
    assert result.reason == f"{waivers}:13: unused api waiver for port"
    assert result.figures["waived_differences"] == 1
    assert [w.member for w in load_api_waivers(waivers)] == ["stats", "port"]
    assert [w.recording for w in load_waivers(waivers)] == ["some_recording"]


def test_a_class_against_itself_uses_no_waivers():
    result = api_gate("legacy", "legacy", WAIVERS, 10)
    assert result.passed and result.figures["unused_waivers"] == 0


@pytest.mark.parametrize(
    "body, line, reason",
    [
        ('[[waiver]]\nkind = "abi"\nmember = "x"\nreason = "r"\n', 1, "unknown waiver kind 'abi'"),
        ('\n[[waiver]]\nkind = "api"\nreason = "r"\n', 2, "api waiver needs 'member'"),
        ('[[waiver]]\nkind = "api"\nmember = "x"\n', 1, "api waiver needs 'reason'"),
        ('[[waiver]]\nkind = "api"\nmember = "x y"\nreason = "r"\n', 1, "not a (dotted) Python name"),
        ('[[waiver]]\nkind = "api"\nmember = "x"\nchange = "renamed"\nreason = "r"\n', 1, "change 'renamed'"),
        ('[[waiver]]\nkind = "api"\nmember = "x"\npath = "$"\nreason = "r"\n', 1, "unknown api waiver field 'path'"),
    ],
)
def test_bad_api_waivers_are_path_line_errors(tmp_path, body, line, reason):
    path = tmp_path / "waivers.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as caught:
        load_api_waivers(path)
    assert str(caught.value).startswith(f"{path}:{line}: ") and reason in str(caught.value)


def test_main_passes_with_its_waivers():
    result = api_gate("legacy", "refactored", WAIVERS, 10)
    assert result.passed, result.reason
    assert result.figures["unwaived_differences"] == 0 and result.figures["waived_differences"] >= 1


def test_non_python_target_is_skipped(tmp_path):
    code = main(["gate", "--only", "api", "--candidate", "ws://127.0.0.1:1", "--config", str(ROOT / "pyproject.toml"),
                 "--reports", str(tmp_path / "reports"), "--shim", str(tmp_path / "shim.py")])
    verdict = json.loads((tmp_path / "reports" / "verdict.json").read_text())
    assert code == 0 and verdict["gates"]["api"]["decision"] == "skipped"
    assert "ws://127.0.0.1:1: not an import path" in verdict["gates"]["api"]["reason"]
    assert verdict["reason"].endswith("skipped: api")
    assert '<skipped message="ws://127.0.0.1:1' in (tmp_path / "reports" / "junit.xml").read_text()
    assert not (tmp_path / "shim.py").exists()


def test_copy_with_a_renamed_public_method_fails_and_names_it(tmp_path):
    """`harness gate --only api` on a copy of the candidate whose get_stats is renamed: exit 1."""
    package = tmp_path / "pkg" / "renamed"
    shutil.copytree(ROOT / "refactored", package, ignore=shutil.ignore_patterns("__pycache__"))
    assert main(["migrate", str(package), "--from", "refactored", "--to", "renamed"]) == 0
    server = package / "server.py"
    server.write_text(server.read_text().replace("def get_stats(", "def get_statistics("))
    shutil.copy(ROOT / "compat" / "__init__.py", tmp_path / "shim.py")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "pkg"), str(ROOT)])}
    command = [sys.executable, "-m", "harness", "gate", "--only", "api", "--candidate", "renamed:WebSocketAPIServer",
               "--reports", str(tmp_path / "reports"), "--shim", str(tmp_path / "shim.py")]
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "get_stats: removed" in proc.stdout
    assert 'EXPOSED = "legacy"' in (tmp_path / "shim.py").read_text()
    for report in ("report.md", "report.html", "junit.xml"):
        assert "unwaived: get_stats" in (tmp_path / "reports" / report).read_text(), report
    assert "waived: users" in (tmp_path / "reports" / "report.md").read_text()


def test_the_init_template_example_is_a_valid_api_waiver(tmp_path):
    from harness.commands.init import WAIVERS as TEMPLATE

    api_part = TEMPLATE[TEMPLATE.index('# The api gate'):]
    body = "\n".join(line[2:] for line in api_part.splitlines() if line.startswith(("# [[", "# kind", "# member",
                                                                                       "# change", "# reason")))
    (tmp_path / "waivers.toml").write_text(body + "\n")
    [waiver] = load_api_waivers(tmp_path / "waivers.toml")
    assert (waiver.member, waiver.change) == ("cache", "removed")
