"""Parse expression text and check it against the whitelist before anything is evaluated."""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from typing import Any

from colmind.expr.errors import ExprError
from colmind.expr.functions import DICT_METHODS, FUNCTIONS, STR_METHODS
from colmind.expr.limits import DEFAULT_LIMITS, Limits

ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store, ast.List, ast.Tuple, ast.Set, ast.Dict,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Slice, ast.Call,
    ast.Attribute, ast.keyword, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension,
    ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
)
_METHODS = STR_METHODS | DICT_METHODS


def parse(text: Any, mode: str, limits: Limits) -> ast.AST:
    """``ast.parse`` with the text's type and size checked first; every parse failure is ExprError."""
    if not isinstance(text, str):
        raise ExprError(repr(text), f"an expression must be text, not {type(text).__name__}")
    if len(text) > limits.max_text:
        raise ExprError(text, f"longer than {limits.max_text} characters")
    if "\x00" in text:
        raise ExprError(text, "contains a NUL character")
    try:
        return ast.parse(text.strip(), mode=mode)
    except SyntaxError as exc:
        raise ExprError(text, f"syntax error: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError(text, "too deeply nested") from None


def check_tree(text: str, tree: ast.AST, limits: Limits, allowed: tuple[type[ast.AST], ...] = ALLOWED_NODES) -> None:
    """Every node must be whitelisted; calls only of known functions or allowed methods."""
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > limits.max_nodes:
            raise ExprError(text, f"more than {limits.max_nodes} syntax nodes")
        if not isinstance(node, allowed):
            raise ExprError(text, f"{type(node).__name__} is not allowed")
        _check_node(text, node)


def _check_node(text: str, node: ast.AST) -> None:
    if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool, type(None))):
        raise ExprError(text, f"constant of type {type(node.value).__name__} is not allowed")
    if isinstance(node, ast.Name) and node.id.startswith("__"):
        raise ExprError(text, f"name {node.id!r} is not allowed")
    if isinstance(node, ast.Attribute):
        if node.attr not in _METHODS:
            raise ExprError(text, f"attribute .{node.attr} is not allowed")
    if isinstance(node, ast.Call):
        _check_call(text, node)
    if isinstance(node, ast.comprehension) and node.is_async:
        raise ExprError(text, "async comprehensions are not allowed")


def _check_call(text: str, node: ast.Call) -> None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in FUNCTIONS:
            raise ExprError(text, f"function {func.id}() is not allowed (allowed: {', '.join(sorted(FUNCTIONS))})")
    elif not isinstance(func, ast.Attribute):
        raise ExprError(text, "only named functions and string/dict methods may be called")
    if any(kw.arg is None for kw in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
        raise ExprError(text, "* and ** arguments are not allowed")


def free_names(tree: ast.AST) -> frozenset[str]:
    """Names an expression reads that are neither functions in call position nor loop variables."""
    from colmind.expr.scope import free_names as scan

    return scan(tree)


class Expr:
    """A checked expression; evaluate it as often as needed."""

    def __init__(self, text: str, tree: ast.Expression, limits: Limits) -> None:
        from colmind.expr.interp import build

        self.text = text
        self.tree = tree
        self.limits = limits
        self.names = free_names(tree)
        self._fn = build(tree.body, text)

    def evaluate(self, variables: Mapping[str, Any] | None = None) -> Any:
        from colmind.expr.interp import run

        return run(self.text, self._fn, {} if variables is None else variables, self.limits)

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"


def compile_expr(text: Any, names: Collection[str] | None = None, limits: Limits = DEFAULT_LIMITS) -> Expr:
    """Parse and check ``text``; with ``names``, reading any other variable is an error now."""
    tree = parse(text, "eval", limits)
    assert isinstance(tree, ast.Expression)
    check_tree(text, tree, limits)
    expr = Expr(text, tree, limits)
    if names is not None:
        unknown = sorted(expr.names - set(names))
        if unknown:
            raise ExprError(text, f"unknown name(s) {', '.join(unknown)}"
                            + (f" (known: {', '.join(sorted(names))})" if names else ""))
    return expr


def evaluate(text: Any, variables: Mapping[str, Any] | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Check and evaluate ``text`` once."""
    return compile_expr(text, None, limits).evaluate(variables)


__all__ = ["Expr", "Limits", "compile_expr", "evaluate"]
