"""Gate tests import the fake servers by module name, in process and in subprocesses."""

import os
from pathlib import Path

import pytest

HERE = str(Path(__file__).parent)


@pytest.fixture
def fakes_on_path(monkeypatch: pytest.MonkeyPatch) -> str:
    """Put ``gates_fake_servers`` on sys.path and PYTHONPATH (memray workers are subprocesses)."""
    monkeypatch.syspath_prepend(HERE)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")])))
    return HERE
