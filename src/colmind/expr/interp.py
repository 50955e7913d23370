"""Checked expression trees compiled into Python closures (never ``eval``/``compile``).

Each AST node becomes a small function ``f(ctx) -> value``; evaluating an expression is one call
of the root closure. That is several times faster than walking the tree on every evaluation
(the playground filters tens of thousands of records with one expression) and keeps every bound:
comprehension iterations and everything built (lists, strings...) are charged to the step
budget; a tree without comprehensions is bounded by its node count.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from colmind.expr.arith import BINARY, COMPARE, UNARY, check_int
from colmind.expr.errors import ExprError
from colmind.expr.functions import FUNCTIONS, Bounded, call_method
from colmind.expr.limits import Limits

_SUBSCRIPTABLE = (dict, list, tuple, str, range)
_SIZED = (str, list, tuple, dict, set)
_LOOPABLE = (list, tuple, range, str, set, dict)


class Ctx:
    """The state of one evaluation: variable scopes (innermost last) and the step budget."""

    __slots__ = ("scopes", "steps", "limits", "text")

    def __init__(self, text: str, variables: Mapping[str, Any], limits: Limits) -> None:
        self.text = text
        self.scopes: list[Mapping[str, Any]] = [variables]
        self.steps = 0
        self.limits = limits

    def charge(self, amount: int) -> None:
        self.steps += amount
        if self.steps > self.limits.max_steps:
            raise Bounded(f"more than {self.limits.max_steps} evaluation steps (or items built)")


Compiled = Callable[[Ctx], Any]


def _built(value: Any, ctx: Ctx) -> Any:
    """Charge what a node built to the budget (bounds total allocation)."""
    if isinstance(value, _SIZED):
        ctx.charge(len(value))
    return value


def run(text: str, fn: Compiled, variables: Mapping[str, Any], limits: Limits) -> Any:
    """Evaluate a compiled expression; every failure becomes ExprError naming ``text``."""
    try:
        return fn(Ctx(text, variables, limits))
    except ExprError:
        raise
    except Bounded as exc:
        raise ExprError(text, str(exc)) from None
    except RecursionError:
        raise ExprError(text, "too deeply nested") from None
    except ZeroDivisionError:
        raise ExprError(text, "division by zero") from None
    except (TypeError, ValueError, KeyError, IndexError, ArithmeticError, AttributeError) as exc:
        raise ExprError(text, f"{type(exc).__name__}: {exc}") from None


def build(node: ast.AST, text: str) -> Compiled:
    """The closure of one checked node (the checker admits nothing without a builder)."""
    maker = _BUILDERS.get(type(node))
    if maker is None:
        raise ExprError(text, f"{type(node).__name__} is not allowed")
    return maker(node, text)


def _constant(node: ast.Constant, text: str) -> Compiled:
    value = node.value
    return lambda ctx: value


def _name(node: ast.Name, text: str) -> Compiled:
    key = node.id

    def lookup(ctx: Ctx) -> Any:
        scopes = ctx.scopes
        for index in range(len(scopes) - 1, -1, -1):
            scope = scopes[index]
            if key in scope:
                return scope[key]
        raise ExprError(ctx.text, f"unknown name {key!r}")

    return lookup


def _sequence(node: ast.List | ast.Tuple | ast.Set, text: str) -> Compiled:
    items = [build(e, text) for e in node.elts]
    kind: Callable[[Iterator[Any]], Any] = {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)]
    return lambda ctx: _built(kind(f(ctx) for f in items), ctx)


def _dict(node: ast.Dict, text: str) -> Compiled:
    if any(k is None for k in node.keys):
        raise ExprError(text, "** in a dict display is not allowed")
    pairs = [(build(k, text), build(v, text)) for k, v in zip(node.keys, node.values, strict=True)]  # type: ignore[arg-type]
    return lambda ctx: _built({k(ctx): v(ctx) for k, v in pairs}, ctx)


def _binop(node: ast.BinOp, text: str) -> Compiled:
    handler = BINARY.get(type(node.op))
    if handler is None:
        raise ExprError(text, f"operator {type(node.op).__name__} is not allowed")
    left, right = build(node.left, text), build(node.right, text)

    def binop(ctx: Ctx) -> Any:
        value = handler(ctx.limits, left(ctx), right(ctx))
        if type(value) is float:
            return value
        return _built(check_int(ctx.limits, value), ctx)

    return binop


def _unary(node: ast.UnaryOp, text: str) -> Compiled:
    handler = UNARY.get(type(node.op))
    if handler is None:
        raise ExprError(text, f"operator {type(node.op).__name__} is not allowed")
    operand = build(node.operand, text)
    return lambda ctx: handler(operand(ctx))


def _boolop(node: ast.BoolOp, text: str) -> Compiled:
    values = [build(v, text) for v in node.values]
    is_and = isinstance(node.op, ast.And)

    def boolop(ctx: Ctx) -> Any:
        value: Any = None
        for item in values:
            value = item(ctx)
            if (not value) if is_and else value:
                return value
        return value

    return boolop


def _compare(node: ast.Compare, text: str) -> Compiled:
    first = build(node.left, text)
    rest = [(COMPARE[type(op)], build(c, text)) for op, c in zip(node.ops, node.comparators, strict=True)]
    if len(rest) == 1:
        op, right = rest[0]
        return lambda ctx: bool(op(first(ctx), right(ctx)))

    def chain(ctx: Ctx) -> bool:
        left = first(ctx)
        for op, comparator in rest:
            value = comparator(ctx)
            if not op(left, value):
                return False
            left = value
        return True

    return chain


def _ifexp(node: ast.IfExp, text: str) -> Compiled:
    test, body, orelse = build(node.test, text), build(node.body, text), build(node.orelse, text)
    return lambda ctx: body(ctx) if test(ctx) else orelse(ctx)


def _subscript(node: ast.Subscript, text: str) -> Compiled:
    target = build(node.value, text)
    if isinstance(node.slice, ast.Constant):  # result['KEY']: the common case, one lookup
        key: Any = node.slice.value

        def constant_key(ctx: Ctx) -> Any:
            value = target(ctx)
            if not isinstance(value, _SUBSCRIPTABLE):
                raise ExprError(ctx.text, f"cannot index a {type(value).__name__}")
            return value[key]

        return constant_key
    is_slice = isinstance(node.slice, ast.Slice)
    index = build(node.slice, text)

    def subscript(ctx: Ctx) -> Any:
        value = target(ctx)
        if not isinstance(value, _SUBSCRIPTABLE):
            raise ExprError(ctx.text, f"cannot index a {type(value).__name__}")
        item = value[index(ctx)]
        return _built(item, ctx) if is_slice else item

    return subscript


def _slice(node: ast.Slice, text: str) -> Compiled:
    parts = [None if p is None else build(p, text) for p in (node.lower, node.upper, node.step)]
    return lambda ctx: slice(*(None if p is None else p(ctx) for p in parts))


def _call(node: ast.Call, text: str) -> Compiled:
    args = [build(a, text) for a in node.args]
    kwargs = [(kw.arg, build(kw.value, text)) for kw in node.keywords if kw.arg]
    if isinstance(node.func, ast.Name):
        function = FUNCTIONS[node.func.id]
        return lambda ctx: _built(check_int(ctx.limits, function(
            ctx.limits, *(a(ctx) for a in args), **{k: v(ctx) for k, v in kwargs})), ctx)
    assert isinstance(node.func, ast.Attribute)
    receiver, method = build(node.func.value, text), node.func.attr
    return lambda ctx: _built(call_method(
        ctx.limits, receiver(ctx), method, [a(ctx) for a in args], {k: v(ctx) for k, v in kwargs}), ctx)


def _comprehension(node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, text: str) -> Compiled:
    loops = [(_target(g.target, text), build(g.iter, text), [build(c, text) for c in g.ifs]) for g in node.generators]
    if isinstance(node, ast.DictComp):
        key, value = build(node.key, text), build(node.value, text)
        return lambda ctx: _collected({key(ctx): value(ctx) for _ in _loops(ctx, loops, 0)}, ctx)
    element = build(node.elt, text)
    kind: Callable[[Iterator[Any]], Any] = set if isinstance(node, ast.SetComp) else list
    return lambda ctx: _collected(kind(element(ctx) for _ in _loops(ctx, loops, 0)), ctx)


def _collected(value: Any, ctx: Ctx) -> Any:
    if len(value) > ctx.limits.max_items:
        raise Bounded(f"more than {ctx.limits.max_items} items")
    return _built(value, ctx)


Binder = Callable[[Any, dict[str, Any], str], None]
Loop = tuple[Binder, Compiled, list[Compiled]]


def _loops(ctx: Ctx, loops: list[Loop], depth: int) -> Iterator[None]:
    """Bind each generator's target in a fresh scope, nested, honouring the ``if`` clauses."""
    if depth == len(loops):
        yield None
        return
    bind, source, conditions = loops[depth]
    iterable = source(ctx)
    if not isinstance(iterable, _LOOPABLE):
        raise ExprError(ctx.text, f"cannot loop over a {type(iterable).__name__}")
    scope: dict[str, Any] = {}
    ctx.scopes.append(scope)
    try:
        for item in itertools.islice(iterable, ctx.limits.max_items + 1):
            ctx.charge(1)
            bind(item, scope, ctx.text)
            if all(cond(ctx) for cond in conditions):
                yield from _loops(ctx, loops, depth + 1)
    finally:
        ctx.scopes.pop()


def _target(target: ast.AST, text: str) -> Binder:
    if isinstance(target, ast.Name):
        name = target.id

        def bind_name(value: Any, scope: dict[str, Any], shown: str) -> None:
            scope[name] = value

        return bind_name
    if isinstance(target, (ast.Tuple, ast.List)):
        parts = [_target(e, text) for e in target.elts]

        def bind_tuple(value: Any, scope: dict[str, Any], shown: str) -> None:
            values = list(value) if isinstance(value, _LOOPABLE) else None
            if values is None or len(values) != len(parts):
                raise ExprError(shown, "cannot unpack: wrong number of values")
            for part, item in zip(parts, values, strict=True):
                part(item, scope, shown)

        return bind_tuple
    raise ExprError(text, "a loop variable must be a name or a tuple of names")


_BUILDERS: dict[type[ast.AST], Callable[[Any, str], Compiled]] = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.List: _sequence,
    ast.Tuple: _sequence,
    ast.Set: _sequence,
    ast.Dict: _dict,
    ast.BinOp: _binop,
    ast.UnaryOp: _unary,
    ast.BoolOp: _boolop,
    ast.Compare: _compare,
    ast.IfExp: _ifexp,
    ast.Subscript: _subscript,
    ast.Slice: _slice,
    ast.Call: _call,
    ast.ListComp: _comprehension,
    ast.SetComp: _comprehension,
    ast.GeneratorExp: _comprehension,
    ast.DictComp: _comprehension,
}
