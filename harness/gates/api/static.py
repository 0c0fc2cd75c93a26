"""The static half, read from source with griffe: members, signatures and exceptions.

``griffe.find_breaking_changes`` compares the two classes (removed members, changed kinds,
parameter names, kinds and defaults); annotations are not compared. Exceptions are the names a
public method documents in a Raises section or raises in its own body.
"""

from __future__ import annotations

import ast
import logging
import sys
import textwrap
from pathlib import Path

import griffe

from harness.gates.api.model import ApiDifference, merged
from harness.gates.result import GateError

SIGNATURE = "signature"
# griffe breakage kind -> the change it is; annotation-only kinds are left out on purpose.
CHANGE_OF = {
    griffe.BreakageKind.OBJECT_REMOVED: "removed",
    griffe.BreakageKind.OBJECT_CHANGED_KIND: "kind",
    griffe.BreakageKind.CLASS_REMOVED_BASE: "bases",
    griffe.BreakageKind.ATTRIBUTE_CHANGED_VALUE: "value",
    griffe.BreakageKind.PARAMETER_MOVED: SIGNATURE,
    griffe.BreakageKind.PARAMETER_REMOVED: SIGNATURE,
    griffe.BreakageKind.PARAMETER_CHANGED_KIND: SIGNATURE,
    griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT: SIGNATURE,
    griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED: SIGNATURE,
    griffe.BreakageKind.PARAMETER_ADDED_REQUIRED: SIGNATURE,
}
NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def griffe_class(cls: type) -> griffe.Class:
    """``cls`` as griffe reads it from the module that defines it (not where it is re-exported)."""
    logging.getLogger("griffe").setLevel(logging.ERROR)
    name = f"{cls.__module__}:{cls.__qualname__}"
    try:
        found = griffe.load(cls.__module__, search_paths=[p for p in sys.path if p] or ["."])[cls.__qualname__]
    except (ImportError, KeyError, OSError, griffe.GriffeError) as exc:
        raise GateError(f"{name}: griffe cannot read its source: {exc}") from None
    found = found.final_target if found.is_alias else found
    if not isinstance(found, griffe.Class):
        raise GateError(f"{name}: griffe does not see a class there")
    return found


def public_members(cls: griffe.Class) -> dict[str, griffe.Object | griffe.Alias]:
    """The public members griffe sees: methods, properties, class and instance attributes."""
    return {name: member for name, member in cls.all_members.items() if member.is_public}


def breaking_changes(old: griffe.Class, new: griffe.Class) -> list[ApiDifference]:
    """griffe's breakages from ``old`` to ``new``, one difference per member and change
    (annotation changes left out)."""
    found = []
    for breakage in griffe.find_breaking_changes(old, new):
        change = CHANGE_OF.get(breakage.kind)
        if change is not None:
            detail = f"{breakage.kind.value}: {_describe(breakage.old_value)} -> {_describe(breakage.new_value)}"
            found.append(ApiDifference(_member(breakage.obj, old, new), change, detail, _where(breakage.obj)))
    return merged(found)


def exception_changes(old: griffe.Class, new: griffe.Class) -> list[ApiDifference]:
    """Public methods of both classes whose documented or raised exception names differ."""
    found = []
    candidate = public_members(new)
    for name, member in public_members(old).items():
        other = candidate.get(name)
        if not (_is_function(member) and other is not None and _is_function(other)):
            continue
        before, after = raised_names(member), raised_names(other)
        if before != after:
            detail = f"legacy {_names(before)}, candidate {_names(after)}"
            found.append(ApiDifference(name, "exceptions", detail, _where(member)))
    return found


def raised_names(function: griffe.Function) -> set[str]:
    """Exception class names a function documents (Raises sections) or raises in its own body."""
    documented = {
        _last(str(item.annotation))
        for section in (function.docstring.parse("auto") if function.docstring else [])
        if section.kind is griffe.DocstringSectionKind.raises
        for item in section.value
    }
    return documented | _raised_in_body(function.source)


def _raised_in_body(source: str) -> set[str]:
    """Names in ``raise Name``/``raise Name(...)`` of one function, nested functions left out.

    A re-raise (``raise``) and a raised variable (a lower-case name) name no class.
    """
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return set()
    names, pending = set(), list(ast.iter_child_nodes(tree.body[0] if tree.body else tree))
    while pending:
        node = pending.pop()
        if not isinstance(node, NESTED):
            names.add(_raised_name(node))
            pending.extend(ast.iter_child_nodes(node))
    return {name for name in names if name[:1].isupper()}


def _raised_name(node: ast.AST) -> str:
    """The class name a ``raise`` statement names, or "" for any other node."""
    if not isinstance(node, ast.Raise) or node.exc is None:
        return ""
    return _last(ast.unparse(node.exc.func if isinstance(node.exc, ast.Call) else node.exc))


def _is_function(member: griffe.Object | griffe.Alias) -> bool:
    try:
        return member.is_function
    except griffe.AliasResolutionError:
        return False


def _last(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def _names(names: set[str]) -> str:
    return "{" + ", ".join(sorted(names)) + "}" if names else "nothing"


def _member(obj: griffe.Object, old: griffe.Class, new: griffe.Class) -> str:
    """The member's path inside its class (``start``, ``Inner.method``)."""
    for cls in (old, new):
        if obj.path.startswith(cls.path + "."):
            return obj.path[len(cls.path) + 1:]
    return obj.name


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, griffe.Parameter):
        default = "" if value.default is None else f" = {value.default}"
        return f"{value.kind.value} {value.name}{default}"
    kind = getattr(value, "kind", None)
    return str(getattr(kind, "value", value))


def _where(obj: griffe.Object | griffe.Alias) -> str:
    try:
        path = Path(obj.filepath)
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        return f"{shown}:{obj.lineno}"
    except (griffe.AliasResolutionError, TypeError, ValueError):
        return ""
