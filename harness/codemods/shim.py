"""Codemod: point the compatibility shim's import at the side the verdict chose."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node

from harness.codemods.migrate import dotted
from harness.gates.result import GateError

TEMPLATE = '''"""The import path consumers use for ``{attr}``.

``harness gate`` rewrites the import below and the two constants from its verdict: the candidate
when every gate passed, the legacy implementation otherwise. Edit them through the verdict.
"""

from {module} import {attr}

EXPOSED = "{exposed}"
REASON = "{reason}"

__all__ = ["EXPOSED", "REASON", "{attr}"]
'''


@dataclass(frozen=True)
class ShimChoice:
    """What the shim should expose and why (no run-to-run figures in ``reason``)."""

    module: str
    attr: str
    exposed: str
    reason: str


def _string(value: str) -> cst.SimpleString:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return cst.SimpleString(f'"{escaped}"')


class PointShim(VisitorBasedCodemodCommand):
    """Rewrite ``from X import <attr>`` and the ``EXPOSED``/``REASON`` constants."""

    DESCRIPTION = "Point the compatibility shim at the chosen implementation."

    def __init__(self, context: CodemodContext, module: str, attr: str, exposed: str, reason: str) -> None:
        super().__init__(context)
        self.choice = ShimChoice(module, attr, exposed, reason)
        self.constants = {"EXPOSED": _string(exposed), "REASON": _string(reason)}
        self.seen: set[str] = set()

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        for name in ("module", "attr", "exposed", "reason"):
            arg_parser.add_argument(f"--{name}", required=True)

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if updated_node.relative or isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        if not any(alias.name.value == self.choice.attr for alias in updated_node.names):
            return updated_node
        self.seen.add("import")
        if get_full_name_for_node(updated_node.module) == self.choice.module:
            return updated_node
        return updated_node.with_changes(module=dotted(self.choice.module))

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        target = updated_node.targets[0].target if len(updated_node.targets) == 1 else None
        if not isinstance(target, cst.Name) or target.value not in self.constants:
            return updated_node
        self.seen.add(target.value)
        new = self.constants[target.value]
        if (
            isinstance(updated_node.value, cst.SimpleString)
            and updated_node.value.evaluated_value == new.evaluated_value
        ):
            return updated_node
        return updated_node.with_changes(value=new)


def rewrite_shim_source(source: str, choice: ShimChoice, filename: str = "shim.py") -> str:
    """The shim's source pointed at ``choice``; raises GateError when a line to rewrite is missing."""
    command = PointShim(CodemodContext(filename=filename), choice.module, choice.attr, choice.exposed, choice.reason)
    after = command.transform_module(cst.parse_module(source)).code
    missing = {"import", "EXPOSED", "REASON"} - command.seen
    if missing:
        raise GateError(f"{filename}:1: shim lacks {', '.join(sorted(missing))} to rewrite")
    return after


def write_shim(path: Path, choice: ShimChoice) -> bool:
    """Point the shim file at ``choice`` (creating it from the template); True when it changed."""
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    source = before or TEMPLATE.format(module=choice.module, attr=choice.attr, exposed="legacy", reason="")
    after = rewrite_shim_source(source, choice, str(path))
    if after == before:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(after, encoding="utf-8")
    return True
