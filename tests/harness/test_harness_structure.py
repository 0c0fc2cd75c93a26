"""The harness's own structure: one exception tree, no import circles in noise learning, results as values."""

import ast
import dataclasses
import inspect
from pathlib import Path

import pytest

import harness
from harness import errors
from harness.corpus import RecordingResult

ROOT = Path(harness.__file__).parent


def _imports(module: str) -> set[str]:
    tree = ast.parse((ROOT / f"{module}.py").read_text())
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def test_noise_learning_has_no_import_circle():
    assert not {"harness.learn", "harness.normalise"} & _imports("noise")
    assert "harness.learn" not in _imports("normalise")
    assert {"harness.noise", "harness.normalise"} <= _imports("learn")


def test_every_harness_exception_is_in_the_one_tree():
    tree = {name for name, value in vars(errors).items() if inspect.isclass(value) and issubclass(value, Exception)}
    assert {"ReplayFailed", "GateError", "NotApplicable"} <= tree
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            # a private signal that never leaves its module (corpus._TargetFailed) may stay there
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_") and any(getattr(b, "id", "").endswith(("Error", "Exception")) or
                                                      getattr(b, "id", "") in tree for b in node.bases):
                assert path == ROOT / "errors.py", f"{path.relative_to(ROOT)}: exception {node.name} outside errors.py"


def test_a_recording_result_is_a_value():
    result = RecordingResult("r", "r.jsonl")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.error = "changed"
    assert dataclasses.replace(result, error="x").error == "x" and result.error is None
