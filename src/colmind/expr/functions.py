"""The functions and methods an expression may call, each bounded.

Functions are looked up by name in call position only (``len(x)``); they are never values.
Methods are allowed on strings and dicts only, from the short tables below.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from colmind.expr.limits import Limits


class Bounded(Exception):
    """A function was asked for more than the limits allow (turned into ExprError by the caller)."""


def _range(limits: Limits, *args: Any) -> range:
    if not 1 <= len(args) <= 3 or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        raise TypeError("range() takes 1 to 3 integers")
    made = range(*args)
    if len(made) > limits.max_items:
        raise Bounded(f"range of {len(made)} items (limit {limits.max_items})")
    return made


def _bounded_list(limits: Limits, items: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.append(item)
        if len(out) > limits.max_items:
            raise Bounded(f"more than {limits.max_items} items")
    return out


def _sorted(limits: Limits, items: Iterable[Any], reverse: bool = False) -> list[Any]:
    return sorted(_bounded_list(limits, items), reverse=bool(reverse))


def _log(limits: Limits, x: Any, base: Any = None) -> float:
    return math.log(x) if base is None else math.log(x, base)


def _pow(limits: Limits, base: Any, exp: Any) -> Any:
    from colmind.expr.arith import power

    return power(limits, base, exp)


def _contains(limits: Limits, haystack: Any, needle: Any) -> bool:
    return needle in haystack


def _plain(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(limits: Limits, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return call


def _str(limits: Limits, value: Any = "") -> str:
    if isinstance(value, (list, tuple, dict, set)):
        from colmind.expr.arith import weight

        if weight(value, limits.max_items) > limits.max_items // 10:
            raise Bounded("str() of a very large collection")
    return str(value)


def _sum(limits: Limits, items: Iterable[Any], start: Any = 0) -> Any:
    values = _bounded_list(limits, items)
    if not all(isinstance(v, (int, float)) for v in [*values, start]):
        raise TypeError("sum() adds numbers only")
    return sum(values, start)


def _list(limits: Limits, items: Iterable[Any] = ()) -> list[Any]:
    return _bounded_list(limits, items)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "range": _range,
    "len": _plain(len),
    "min": _plain(min),
    "max": _plain(max),
    "abs": _plain(abs),
    "round": _plain(round),
    "int": _plain(int),
    "float": _plain(float),
    "str": _str,
    "bool": _plain(bool),
    "sum": _sum,
    "sorted": _sorted,
    "list": _list,
    "log": _log,
    "log2": _plain(math.log2),
    "log10": _plain(math.log10),
    "exp": _plain(math.exp),
    "sqrt": _plain(math.sqrt),
    "pow": _pow,
    "isfinite": _plain(math.isfinite),
    "lower": _plain(lambda s: str(s).lower()),
    "upper": _plain(lambda s: str(s).upper()),
    "contains": _contains,
    "startswith": _plain(lambda s, p: str(s).startswith(p)),
    "endswith": _plain(lambda s, p: str(s).endswith(p)),
}

# methods by receiver type: none of them builds anything larger than its receiver
STR_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "startswith", "endswith",
                         "split", "replace", "isdigit", "title", "find", "count"})
DICT_METHODS = frozenset({"get", "keys", "values", "items"})


def call_method(limits: Limits, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Call an allowed method; ``replace`` is bounded by the size of what it could build."""
    if isinstance(receiver, str) and name in STR_METHODS:
        if name == "replace" and len(args) >= 2 and isinstance(args[1], str):
            grow = len(args[1]) * (receiver.count(args[0]) if isinstance(args[0], str) and args[0] else len(receiver) + 1)
            if len(receiver) + grow > limits.max_items * 10:
                raise Bounded("replace() would build a string that is too long")
        return getattr(receiver, name)(*args, **kwargs)
    if isinstance(receiver, dict) and name in DICT_METHODS:
        result = getattr(receiver, name)(*args, **kwargs)
        return result if name == "get" else list(result)
    raise TypeError(f"method .{name}() is not allowed on {type(receiver).__name__}")
