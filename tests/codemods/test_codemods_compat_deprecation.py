"""Importing the legacy path while the shim exposes the candidate warns, naming the new path."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.codemods.shim import ShimChoice, write_shim

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    pkg = tmp_path / "oldpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "server.py").write_text(
        "class WebSocketAPIServer:\n    pass\n\ndef helper():\n    return WebSocketAPIServer\n"
    )
    script = (
        textwrap.dedent("""
        import sys, warnings
        sys.path[:0] = [{tmp!r}, {root!r}]
        warnings.simplefilter("always")
        import importlib.util
        spec = importlib.util.spec_from_file_location("deprecation", {path!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        warn_on_legacy_imports = module.warn_on_legacy_imports
        """).format(tmp=str(tmp_path), root=str(ROOT), path=str(ROOT / "compat" / "_deprecation.py"))
        + textwrap.dedent(body)
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)


def test_import_after_shim_warns_with_consumer_location(tmp_path: Path) -> None:
    proc = _run(
        tmp_path,
        """
        warn_on_legacy_imports("refactored", "oldpkg.server")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from oldpkg.server import WebSocketAPIServer
        msgs = [(w.category.__name__, str(w.message), w.filename) for w in caught]
        assert msgs and all(m[0] == "DeprecationWarning" for m in msgs), msgs
        assert all("import WebSocketAPIServer from compat" in m[1] for m in msgs), msgs
        assert all(m[2] == "<string>" for m in msgs), msgs
        import oldpkg.server as ws
        assert ws.helper() is WebSocketAPIServer  # the module's own code reads globals
        print("ok")
    """,
    )
    assert proc.stdout.strip() == "ok", proc.stderr


def test_module_loaded_before_shim_warns_on_attribute_use(tmp_path: Path) -> None:
    proc = _run(
        tmp_path,
        """
        import oldpkg.server as ws
        warn_on_legacy_imports("refactored", "oldpkg.server")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ws.WebSocketAPIServer
        assert len(caught) == 1 and issubclass(caught[0].category, DeprecationWarning)
        print("ok")
    """,
    )
    assert proc.stdout.strip() == "ok", proc.stderr


def test_no_warning_while_legacy_is_exposed(tmp_path: Path) -> None:
    proc = _run(
        tmp_path,
        """
        warn_on_legacy_imports("refactored", "oldpkg.server")
        warn_on_legacy_imports("legacy", "oldpkg.server")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from oldpkg.server import WebSocketAPIServer
        assert caught == [], [str(w.message) for w in caught]
        print("ok")
    """,
    )
    assert proc.stdout.strip() == "ok", proc.stderr


def test_real_shim_rewritten_to_the_candidate_warns(tmp_path: Path) -> None:
    """The project's compat package, pointed by the codemod at a candidate, warns on the legacy path."""
    pytest.importorskip("legacy.websocket_server")
    shutil.copytree(ROOT / "compat", tmp_path / "compat")
    (tmp_path / "fakecand.py").write_text("class WebSocketAPIServer:\n    pass\n")
    write_shim(
        tmp_path / "compat" / "__init__.py",
        ShimChoice("fakecand", "WebSocketAPIServer", "refactored", "all gates passed"),
    )
    code = (
        "import sys, warnings\n"
        f"sys.path[:0] = [{str(tmp_path)!r}, {str(ROOT)!r}]\n"
        "import compat\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from legacy.websocket_server import WebSocketAPIServer\n"
        "assert {w.filename for w in caught} == {'<string>'}, [(w.filename, w.lineno) for w in caught]\n"
        "print(compat.EXPOSED, compat.WebSocketAPIServer.__module__, len(caught), caught[-1].message)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    exposed, module, count, message = proc.stdout.strip().split(" ", 3)
    assert (exposed, module) == ("refactored", "fakecand") and int(count) >= 1
    assert message.startswith("legacy.websocket_server is deprecated") and "from compat" in message
