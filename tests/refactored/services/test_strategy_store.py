"""The file-backed strategy store refuses names that leave its directory."""

import json

import pytest

from refactored.core.errors import UnsafeName
from refactored.services.strategy_store import StrategyStore


def test_save_writes_the_legacy_document(tmp_path):
    store = StrategyStore(tmp_path / "s")
    path = store.save("My Strategy.v2", {"a": 1})
    assert path == tmp_path / "s" / "My Strategy.v2.json"
    assert path.read_text() == json.dumps({"name": "My Strategy.v2", "config": {"a": 1}}, indent=2)
    assert json.loads(path.read_text()) == {"name": "My Strategy.v2", "config": {"a": 1}}


@pytest.mark.parametrize("name", ["../evil", "..", ".", "/etc/passwd", "a/b", "a\\b", "x\x00y", "", "../../tmp/evil"])
def test_traversal_refused(tmp_path, name):
    store = StrategyStore(tmp_path / "s")
    with pytest.raises(UnsafeName):
        store.save(name, {})
    assert sorted(p.name for p in tmp_path.rglob("*")) in ([], ["s"])


def test_symlink_escape_refused(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "link.json").symlink_to(tmp_path / "outside.json")
    with pytest.raises(UnsafeName):
        StrategyStore(tmp_path / "s").save("link", {})


def test_os_errors_surface(tmp_path):
    with pytest.raises(OSError):
        StrategyStore(tmp_path / "s").save("a" * 300, {})
