"""Codemod: move a consumer code base's imports from one module path to another.

Handles ``import old``, ``import old as x`` (attribute uses kept), ``from old import X as Z``,
``from old import X as X``, ``from parent import leaf`` and any mix of them in one file;
relative imports are left alone. Comments and formatting are kept (libcst).
"""

from __future__ import annotations

import argparse

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node


def dotted(name: str) -> cst.Attribute | cst.Name:
    """``a.b.c`` as a libcst expression."""
    expr = cst.parse_expression(name)
    assert isinstance(expr, (cst.Attribute, cst.Name))
    return expr


def _renamed(name: str, old: str, new: str) -> str | None:
    """``name`` with the ``old`` prefix replaced by ``new``, or None when it does not start so."""
    if name == old:
        return new
    if name.startswith(old + "."):
        return new + name[len(old) :]
    return None


class MigrateImports(VisitorBasedCodemodCommand):
    """Rewrite every import of ``old`` (and its submodules) to ``new``."""

    DESCRIPTION = "Rewrite imports of one module path to another, keeping aliases and comments."

    def __init__(self, context: CodemodContext, old: str, new: str) -> None:
        super().__init__(context)
        self.old = old
        self.new = new
        self.parent, _, self.leaf = old.rpartition(".")
        self.bare_import = False

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--old", required=True, help="module path to move away from")
        arg_parser.add_argument("--new", required=True, help="module path to move to")

    def visit_Module(self, node: cst.Module) -> bool:
        aliases = m.findall(node, m.ImportAlias(asname=None))
        self.bare_import = any(get_full_name_for_node(a.name) == self.old for a in aliases)
        return True

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        names = [self._rename_alias(alias) for alias in updated_node.names]
        return updated_node.with_changes(names=names)

    def _rename_alias(self, alias: cst.ImportAlias) -> cst.ImportAlias:
        renamed = _renamed(get_full_name_for_node(alias.name) or "", self.old, self.new)
        return alias.with_changes(name=dotted(renamed)) if renamed else alias

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if updated_node.relative or updated_node.module is None:
            return updated_node
        renamed = _renamed(get_full_name_for_node(updated_node.module) or "", self.old, self.new)
        return updated_node.with_changes(module=dotted(renamed)) if renamed else updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if self.bare_import and get_full_name_for_node(original_node) == self.old:
            return dotted(self.new)
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        """``from parent import leaf [as x]`` becomes ``import new as x`` (split when mixed)."""
        if len(updated_node.body) != 1 or not self._imports_leaf(updated_node.body[0]):
            return updated_node
        statement = updated_node.body[0]
        assert isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar)
        moved = [a for a in statement.names if a.name.value == self.leaf]
        kept = [a for a in statement.names if a.name.value != self.leaf]
        lines = [self._module_import(alias) for alias in moved]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            lines.insert(0, updated_node.with_changes(body=[statement.with_changes(names=kept)]))
        else:
            lines[0] = lines[0].with_changes(leading_lines=updated_node.leading_lines)
        return cst.FlattenSentinel(lines)

    def _imports_leaf(self, statement: cst.BaseSmallStatement) -> bool:
        if not isinstance(statement, cst.ImportFrom) or statement.relative or statement.module is None:
            return False
        if not self.parent or get_full_name_for_node(statement.module) != self.parent:
            return False
        if isinstance(statement.names, cst.ImportStar):
            return False
        return any(a.name.value == self.leaf for a in statement.names)

    def _module_import(self, alias: cst.ImportAlias) -> cst.SimpleStatementLine:
        bound = alias.asname.name.value if alias.asname else self.leaf
        return cst.SimpleStatementLine(
            body=[cst.Import(names=[cst.ImportAlias(name=dotted(self.new), asname=cst.AsName(name=cst.Name(bound)))])]
        )
