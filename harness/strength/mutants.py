"""Mutants of a Python module (libcst): one small change each, listed by file and line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

_SWAPS: dict[type, type] = {
    cst.Equal: cst.NotEqual, cst.NotEqual: cst.Equal, cst.LessThan: cst.LessThanEqual,
    cst.LessThanEqual: cst.LessThan, cst.GreaterThan: cst.GreaterThanEqual,
    cst.GreaterThanEqual: cst.GreaterThan, cst.In: cst.NotIn, cst.NotIn: cst.In,
    cst.Is: cst.IsNot, cst.IsNot: cst.Is, cst.And: cst.Or, cst.Or: cst.And,
    cst.Add: cst.Subtract, cst.Subtract: cst.Add, cst.Multiply: cst.Divide, cst.Divide: cst.Multiply,
}
_NAMES = {"True": "False", "False": "True"}


def _operator(node: cst.CSTNode) -> cst.CSTNode | None:
    swap = _SWAPS.get(type(node))
    return swap() if swap is not None else None


def _name(node: cst.Name) -> cst.CSTNode | None:
    return node.with_changes(value=_NAMES[node.value]) if node.value in _NAMES else None


def _integer(node: cst.Integer) -> cst.CSTNode | None:
    return node.with_changes(value=str(int(node.value, 0) + 1)) if node.value.isdigit() else None


def _string(node: cst.SimpleString) -> cst.CSTNode | None:
    prefix, quote = node.prefix, node.quote
    body = node.value[len(prefix) + len(quote):-len(quote)]
    return node.with_changes(value=f"{prefix}{quote}XX{body}XX{quote}") if "b" not in prefix.lower() else None


def _not(node: cst.UnaryOperation) -> cst.CSTNode | None:
    return node.expression if isinstance(node.operator, cst.Not) else None


# node type -> its mutation (None: no mutant for this node)
MUTATORS: dict[type, Callable[[cst.CSTNode], cst.CSTNode | None]] = {
    **{kind: _operator for kind in _SWAPS}, cst.Name: _name, cst.Integer: _integer,
    cst.SimpleString: _string, cst.UnaryOperation: _not,
}


@dataclass(frozen=True)
class Mutant:
    """The `index`-th mutation site of `path`: its line and column, the first line of the statement
    that holds it (the line coverage reports) and whether that statement runs inside a function
    (False: it runs when the module is imported)."""

    path: str
    index: int
    line: int
    description: str
    column: int = 0
    statement: int = 0
    in_function: bool = True

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _skipped(node: cst.CSTNode) -> bool:
    """Docstrings, annotations, decorators and imports are not mutated."""
    docstring = isinstance(node, cst.Expr) and isinstance(node.value, cst.SimpleString)
    return docstring or isinstance(node, (cst.Annotation, cst.Decorator, cst.ImportFrom, cst.Import))


def _mutable(node: cst.CSTNode) -> bool:
    mutate = MUTATORS.get(type(node))
    return mutate is not None and mutate(node) is not None


def describe(node: cst.CSTNode) -> str:
    """`Equal ' == '`: the node type and (the start of) its code."""
    return f"{type(node).__name__} {cst.Module([]).code_for_node(node)[:40]!r}"


class _Sites(cst.CSTVisitor):
    """Collects the mutation sites in pre-order, with their enclosing statement and function depth."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, path: str) -> None:
        self.path = path
        self.sites: list[Mutant] = []
        self.statements: list[int] = [0]
        self.functions = 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        if _skipped(node):
            return False
        start = self.get_metadata(PositionProvider, node).start
        if isinstance(node, cst.BaseStatement):
            self.statements.append(start.line)
        if _mutable(node):
            self.sites.append(Mutant(self.path, len(self.sites), start.line, describe(node), start.column,
                                     self.statements[-1] or start.line, self.functions > 0))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.BaseStatement):
            self.statements.pop()

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.functions += isinstance(node, cst.FunctionDef) and attribute == "body"

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        self.functions -= isinstance(original_node, cst.FunctionDef) and attribute == "body"


class _Apply(cst.CSTTransformer):
    """Mutates the `index`-th site (same pre-order as _Sites)."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.seen = -1
        self.target: cst.CSTNode | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if _skipped(node):
            return False
        if _mutable(node):
            self.seen += 1
            self.target = node if self.seen == self.index else self.target
        return True

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):
        return MUTATORS[type(original)](updated) if original is self.target else updated


def mutants(path: str, source: str) -> list[Mutant]:
    """Every mutation site of a module, in source order."""
    visitor = _Sites(path)
    MetadataWrapper(cst.parse_module(source)).visit(visitor)
    return visitor.sites


def mutate(source: str, index: int) -> str:
    """The module's source with its `index`-th site mutated."""
    return cst.parse_module(source).visit(_Apply(index)).code
