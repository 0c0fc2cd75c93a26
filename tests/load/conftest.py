"""Load tests: raise the file-descriptor limit; both servers as targets."""

import importlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_support import raise_nofile  # noqa: E402

TARGETS = {
    "legacy": "legacy.websocket_server:WebSocketAPIServer",
    "refactored": "refactored:WebSocketAPIServer",
}


@pytest.fixture(scope="session", autouse=True)
def nofile():
    """1000 clients and 1000 server sockets need more than the usual 1024 descriptors."""
    return raise_nofile()


@pytest.fixture(params=sorted(TARGETS))
def target(request) -> str:
    spec = TARGETS[request.param]
    module, _, attr = spec.partition(":")
    try:
        getattr(importlib.import_module(module), attr)
    except Exception as exc:
        pytest.skip(f"{spec} does not import yet: {exc!r}")
    return spec


@pytest.fixture
def server_class(target):
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def pytest_collection_modifyitems(config, items):
    """`load` tests run only when selected with `-m load` (they take minutes)."""
    if "load" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="load test: select with -m load")
    for item in items:
        if "load" in item.keywords and item.get_closest_marker("load"):
            item.add_marker(skip)
