"""The whole path against the worked subject: record, replay, diff with itself and edited copies."""

import sys
from pathlib import Path

import pytest

from harness import transcript as wsgm
from harness.config import Timeouts
from harness.corpus import check_recording, compare_recording
from harness.scenario import load_scenarios, record_scenario
from harness.textreport import render_recording
from subject_trading.config import harness_config

ROOT = Path(__file__).parents[2]
LEGACY_SOURCE = ROOT / "legacy" / "websocket_server.py"
pytestmark = pytest.mark.skipif(not (ROOT / "legacy" / ".READY").exists(), reason="legacy not ready")

EDITS = {
    "legacy_edited_message": ('"Invalid username or password"', '"Invalid user name or password"'),
    "legacy_edited_field": ('"token_type": "Bearer"', '"token_type": "bearer"'),
}


@pytest.fixture(scope="module")
def config():
    return harness_config(timeouts=Timeouts(quiet=0.1, frame=3.0))


@pytest.fixture(scope="module")
def tour(config, tmp_path_factory):
    import asyncio

    [sc] = load_scenarios([Path(__file__).parent / "legacy_scenarios" / "legacy_tour.py"])
    transcript = asyncio.run(record_scenario(sc, "legacy", config))
    path = tmp_path_factory.mktemp("legacy") / "legacy_tour.jsonl"
    wsgm.write(transcript, path)
    return wsgm.load(path)


@pytest.fixture(scope="module")
def edited_modules(tmp_path_factory):
    """Hand-edited copies of the legacy module, importable by name."""
    folder = tmp_path_factory.mktemp("edited")
    source = LEGACY_SOURCE.read_text(encoding="utf-8")
    for name, (old, new) in EDITS.items():
        assert old in source, f"{old} not found in the legacy source"
        (folder / f"{name}.py").write_text(source.replace(old, new, 1), encoding="utf-8")
    sys.path.insert(0, str(folder))
    yield
    sys.path.remove(str(folder))


async def test_recording_replays_cleanly_against_legacy(tour, config):
    assert "trader123" not in wsgm.dumps(tour)
    result = await check_recording(tour, "legacy", config)
    assert result.ok, result.to_dict()
    assert "$.client_id" in result.noise


async def test_legacy_against_itself_has_no_differences(tour, config):
    for _ in range(2):
        result = await compare_recording(tour, "legacy", "legacy", config)
        assert result.ok, result.to_dict()


@pytest.mark.parametrize(
    "module, frame, path",
    [
        ("legacy_edited_message", 4, "$.error_message"),
        ("legacy_edited_field", 2, "$.token_type"),
    ],
)
async def test_edited_legacy_is_caught(tour, config, edited_modules, module, frame, path):
    result = await compare_recording(tour, "legacy", f"{module}:WebSocketAPIServer", config)
    assert [(d.client, d.frame, d.path) for d in result.differences] == [("c1", frame, path)]
    report = "\n".join(render_recording(result, "legacy", module))
    assert f"@@ legacy_tour c1 frame {frame} {path} (changed) @@" in report
