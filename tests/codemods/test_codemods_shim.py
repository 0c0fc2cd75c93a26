"""The shim codemod: rewrite, idempotency, missing lines."""

from pathlib import Path

import pytest

from harness.codemods.shim import ShimChoice, rewrite_shim_source, write_shim
from harness.gates.result import GateError

LEGACY = ShimChoice("legacy.websocket_server", "WebSocketAPIServer", "legacy", "bench failed")
CANDIDATE = ShimChoice("refactored", "WebSocketAPIServer", "refactored", "all gates passed")


def test_creates_then_switches_and_back(tmp_path: Path) -> None:
    shim = tmp_path / "compat" / "__init__.py"
    assert write_shim(shim, LEGACY)
    text = shim.read_text()
    assert "from legacy.websocket_server import WebSocketAPIServer\n" in text
    assert 'EXPOSED = "legacy"\nREASON = "bench failed"\n' in text
    assert write_shim(shim, CANDIDATE)
    text = shim.read_text()
    assert "from refactored import WebSocketAPIServer\n" in text
    assert 'EXPOSED = "refactored"\nREASON = "all gates passed"\n' in text
    assert write_shim(shim, LEGACY)
    assert "from legacy.websocket_server import WebSocketAPIServer\n" in shim.read_text()


def test_idempotent(tmp_path: Path) -> None:
    shim = tmp_path / "__init__.py"
    write_shim(shim, CANDIDATE)
    before = shim.stat().st_mtime_ns, shim.read_text()
    assert not write_shim(shim, CANDIDATE)
    assert (shim.stat().st_mtime_ns, shim.read_text()) == before


def test_keeps_comments_and_other_code() -> None:
    src = (
        '"""Doc."""\n# header comment\nfrom legacy.websocket_server import WebSocketAPIServer  # keep\n'
        "import os\nEXPOSED = 'legacy'  # side\nREASON = 'x'\nEXTRA = os.sep\n"
    )
    out = rewrite_shim_source(src, CANDIDATE)
    assert out == (
        '"""Doc."""\n# header comment\nfrom refactored import WebSocketAPIServer  # keep\n'
        'import os\nEXPOSED = "refactored"  # side\nREASON = "all gates passed"\nEXTRA = os.sep\n'
    )


def test_quotes_in_reason_are_escaped() -> None:
    choice = ShimChoice("refactored", "WebSocketAPIServer", "refactored", 'said "no" \\ twice')
    out = rewrite_shim_source('from a import WebSocketAPIServer\nEXPOSED = ""\nREASON = ""\n', choice)
    namespace: dict = {}
    exec(out.split("\n", 1)[1], namespace)
    assert namespace["REASON"] == 'said "no" \\ twice'


def test_missing_lines_are_an_error() -> None:
    with pytest.raises(GateError, match="shim lacks EXPOSED, REASON"):
        rewrite_shim_source("from legacy.websocket_server import WebSocketAPIServer\n", CANDIDATE)
