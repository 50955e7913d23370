"""Derived metrics: ``result['New'] = expr`` statements separated by ``;`` or new lines.

Each statement assigns one key of the record; the value expression sees the record as
``result`` (and, where the caller says so, other variables). ``New = expr`` is accepted as a
shorthand for ``result['New'] = expr``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from colmind.expr.checker import ALLOWED_NODES, Expr, check_tree, parse
from colmind.expr.errors import ExprError
from colmind.expr.limits import DEFAULT_LIMITS, Limits

RECORD = "result"


class Assignments:
    """Checked derived-metric statements: ``apply`` returns a new record with the keys added."""

    def __init__(self, text: str, steps: list[tuple[str, Expr]]) -> None:
        self.text = text
        self.steps = steps

    @property
    def keys(self) -> list[str]:
        return [key for key, _ in self.steps]

    def apply(self, record: Mapping[str, Any], variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        out = dict(record)
        for key, expr in self.steps:
            scope = dict(variables or {})
            scope[RECORD] = out
            out[key] = expr.evaluate(scope)
        return out


def _target_key(text: str, target: ast.AST) -> str:
    if isinstance(target, ast.Name):
        return target.id
    if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == RECORD
            and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str)):
        return target.slice.value
    raise ExprError(text, f"can only assign to {RECORD}['KEY'] or a plain name")


def _statement(text: str, stmt: ast.stmt, limits: Limits) -> tuple[str, Expr]:
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        raise ExprError(text, "each statement must be one assignment: result['KEY'] = expression")
    key = _target_key(text, stmt.targets[0])
    value = ast.Expression(body=stmt.value)
    check_tree(text, value, limits, ALLOWED_NODES)
    return key, Expr(ast.unparse(stmt.value), value, limits)


def compile_assignments(text: Any, limits: Limits = DEFAULT_LIMITS) -> Assignments:
    """Parse and check derived-metric statements (an empty text is an empty program)."""
    tree = parse(text, "exec", limits)
    assert isinstance(tree, ast.Module)
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > limits.max_nodes:
        raise ExprError(text, f"more than {limits.max_nodes} syntax nodes")
    return Assignments(text, [_statement(text, stmt, limits) for stmt in tree.body])
