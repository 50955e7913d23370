"""Arithmetic and comparison operators with size bounds (no huge integers, strings or lists)."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from colmind.expr.functions import Bounded
from colmind.expr.limits import Limits


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def weight(value: Any, cap: int) -> int:
    """Elements in ``value`` counted through nested containers (shared ones once per reference),
    stopping as soon as the count passes ``cap``."""
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, (list, tuple, set, dict)):
        return 1
    total, stack = 0, [value]
    while stack and total <= cap:
        item = stack.pop()
        if isinstance(item, dict):
            item = list(item.keys()) + list(item.values())
        if isinstance(item, (list, tuple, set)):
            total += len(item)
            stack.extend(x for x in item if isinstance(x, (list, tuple, set, dict)))
        elif isinstance(item, str):
            total += len(item)
    return total


def power(limits: Limits, base: Any, exp: Any) -> Any:
    if _is_int(base) and _is_int(exp) and exp > 0 and abs(base) > 1:
        if abs(base).bit_length() * exp > limits.max_int_bits:
            raise Bounded(f"{base} ** {exp} is too large (limit {limits.max_int_bits} bits)")
    return operator.pow(base, exp)


def multiply(limits: Limits, left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        if _sized(seq) and _is_int(count) and weight(seq, limits.max_items) * count > limits.max_items:
            raise Bounded(f"repeating a sequence {count} times is too large (limit {limits.max_items} items)")
    return operator.mul(left, right)


def add(limits: Limits, left: Any, right: Any) -> Any:
    if _sized(left) + _sized(right) > limits.max_items * 10:
        raise Bounded("concatenation is too long")
    return operator.add(left, right)


def modulo(limits: Limits, left: Any, right: Any) -> Any:
    if isinstance(left, str):  # '%' formatting can build arbitrarily wide strings
        raise TypeError("string formatting with % is not allowed")
    return operator.mod(left, right)


def _plain(fn: Callable[[Any, Any], Any]) -> Callable[[Limits, Any, Any], Any]:
    return lambda limits, left, right: fn(left, right)


BINARY: dict[type[ast.operator], Callable[[Limits, Any, Any], Any]] = {
    ast.Add: add,
    ast.Sub: _plain(operator.sub),
    ast.Mult: multiply,
    ast.Div: _plain(operator.truediv),
    ast.FloorDiv: _plain(operator.floordiv),
    ast.Mod: modulo,
    ast.Pow: power,
}

UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
    ast.Not: operator.not_,
}

COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


def check_int(limits: Limits, value: Any) -> Any:
    """Refuse integers beyond the bit limit (from any operation, e.g. a long multiplication chain)."""
    if _is_int(value) and value.bit_length() > limits.max_int_bits:
        raise Bounded(f"an integer of {value.bit_length()} bits (limit {limits.max_int_bits})")
    return value
