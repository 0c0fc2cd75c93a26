"""The example subject (examples/chat): its port importable, its legacy's dependency installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHAT = Path(__file__).resolve().parents[2] / "examples" / "chat"
NPM_TIMEOUT = 300

if str(CHAT) not in sys.path:
    sys.path.insert(0, str(CHAT))


@pytest.fixture(scope="session")
def chat_legacy() -> Path:
    """examples/chat with `npm ci` done; skips only when node or npm does not exist."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"the example's legacy needs {' and '.join(missing)}, not installed here")
    if not (CHAT / "legacy" / "node_modules" / "ws").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CHAT / "legacy", check=True,
                       capture_output=True, timeout=NPM_TIMEOUT)
    return CHAT
