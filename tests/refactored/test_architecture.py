"""The layering drawn in docs/ARCHITECTURE.md, checked on the imports."""

import ast
from pathlib import Path

import pytest

import refactored

ROOT = Path(refactored.__file__).parent
# package -> the refactored packages/modules it may import
ALLOWED = {
    "core": {"core"},
    "lifecycle": {"core", "lifecycle"},
    "services": {"core", "services"},
    "handlers": {"core", "lifecycle", "services", "handlers", "stats", "app", "config", "wire", "reconnect", "runs"},
    "backends": {"core", "lifecycle", "services", "backends", "config"},
}
IO = {"asyncio", "websockets", "socket", "redis"}
# the edges: the websockets server, and the Redis backends of the shared state
EDGES = {ROOT / "server.py", *(ROOT / "backends" / "redis").glob("*.py")}


def imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_layers(package):
    for path in sorted((ROOT / package).glob("*.py")):
        for module in imports(path):
            top = module.split(".")[0]
            assert top not in IO, f"{path.name} imports {module}"
            if top == "refactored":
                assert module.split(".")[1] in ALLOWED[package], f"{package}/{path.name} imports {module}"


def test_only_the_edges_do_io():
    for path in sorted(ROOT.rglob("*.py")):
        if path not in EDGES:
            assert not IO & {m.split(".")[0] for m in imports(path)}, path


# Where the backends are chosen and wired: the app, and the server that keeps them across restarts.
COMPOSITION_ROOTS = {ROOT / "app.py", ROOT / "server.py"}


def test_the_core_knows_only_the_ports_of_the_shared_state():
    for path in sorted(ROOT.rglob("*.py")):
        if "backends" not in path.relative_to(ROOT).parts and path not in COMPOSITION_ROOTS:
            assert not [m for m in imports(path) if m.startswith("refactored.backends")], path


def test_server_stays_thin():
    assert len((ROOT / "server.py").read_text().splitlines()) < 300


def test_the_engine_sits_below_the_handlers():
    assert not [m for m in imports(ROOT / "engine.py") if m.startswith("refactored.handlers")]
    for below in ("reconnect.py", "runs.py", "wire.py"):
        assert not [m for m in imports(ROOT / below) if m.startswith("refactored.handlers")], below
