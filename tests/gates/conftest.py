"""Gate tests import the fake servers by module name, in process and in subprocesses."""

import os
from pathlib import Path

import pytest

from harness.cli import main

HERE = str(Path(__file__).parent)
FAKE = "gates_fake_servers:FakeServer"


@pytest.fixture
def fakes_on_path(monkeypatch: pytest.MonkeyPatch) -> str:
    """Put ``gates_fake_servers`` on sys.path and PYTHONPATH (memray workers are subprocesses)."""
    monkeypatch.syspath_prepend(HERE)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")])))
    return HERE


SCENARIOS = '''
from harness.scenario import scenario


@scenario(name="pings", tags=["protocol"])
async def pings(s):
    c = await s.connect("c1")
    await c.recv()
    for n in range(20):
        await c.send({"type": "ping", "id": n})
        await c.recv()


@scenario(name="paused", tags=["protocol"])
async def paused(s):
    c = await s.connect("c1")
    await c.recv()
    await c.send({"type": "ping", "id": 1})
    await c.recv()
    await s.sleep(50)
    await c.send({"type": "ping", "id": 2})
    await c.recv()
'''


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two recordings made against the fake server, one with a sleep line."""
    import sys

    here = str(Path(__file__).parent)
    sys.path.insert(0, here)
    try:
        root = tmp_path_factory.mktemp("bench")
        (root / "scenarios").mkdir()
        (root / "scenarios" / "pings.py").write_text(SCENARIOS)
        args = ["record-scenarios", str(root / "scenarios"), "--target", FAKE, "--out", str(root / "recs")]
        assert main(args) == 0
    finally:
        sys.path.remove(here)
    return root / "recs"


@pytest.fixture
def corpus_config(corpus: Path, tmp_path: Path) -> Path:
    """A configuration file whose corpus is the fake server's recordings."""
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[tool.harness]\nrecordings = "{corpus}"\n\n[tool.harness.memory]\nrecordings = ["pings"]\n')
    return path
