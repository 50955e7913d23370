"""The exploration language: ``--explore.VAR=...``, ``explore:`` in ``@file`` and inline
``{{VAR{expr}}}`` -> one list of values per dimension.

Values are lists (from JSON/YAML or the MLC front-end) or expression text evaluated by
:mod:`colmind.expr` (whitelisted ``ast`` evaluator: no free names, no attributes, no imports,
bounded sizes). Anything else is error 1 naming the expression, before any step runs.
"""

from __future__ import annotations

import re
from typing import Any

from colmind.errors import CMError

MAX_VALUES = 100_000  # per dimension
MAX_STEPS = 1_000_000  # per sweep
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def extract_inline(text: str) -> tuple[str, dict[str, str]]:
    """``{{VAR{expr}}}`` -> ``{{VAR}}`` + ``{VAR: expr}`` (CM's split: the last ``{{`` before each
    ``}}}``, then the first ``{`` after it). A ``}}}`` with no ``{`` after its ``{{`` is a plain
    ``{{VAR}}`` followed by ``}`` (``{'n': {{N}}}``). Each pass removes text or moves on: it ends."""
    found: dict[str, str] = {}
    pos = 0
    while True:
        end = text.find("}}}", pos)
        if end < 0:
            return text, found
        start = text.rfind("{{", 0, end)
        brace = text.find("{", start + 2, end) if start >= 0 else -1
        if start < 0 or brace < 0:
            pos = end + 1
            continue
        name = text[start + 2:brace].strip()
        check_name(name, text[start:end + 3])
        found[name] = text[brace + 1:end]
        text = text[:brace] + text[end + 1:]
        pos = brace


def check_name(name: str, where: str) -> None:
    if not _NAME.match(name):
        raise CMError(f"dimension name {name!r} in {where!r} is not a valid variable name "
                      "(letters, digits, _; not starting with a digit)")


def merge_inline(explore: dict[str, Any], inline: dict[str, str]) -> dict[str, Any]:
    """Inline dimensions override same-named ``explore`` keys in place; new ones come last (CM)."""
    merged = dict(explore)
    merged.update(inline)
    return merged


def dimension_values(name: str, value: Any) -> list[Any]:
    """One dimension's list of values."""
    check_name(name, f"explore.{name}")
    if isinstance(value, (list, tuple)):
        values = list(value)
    elif isinstance(value, str):
        values = _evaluate(name, value)
    elif isinstance(value, (int, float, bool)) or value is None:
        values = [value]
    else:
        raise CMError(f"explore.{name}: expected a list or an expression, not {type(value).__name__}")
    if len(values) > MAX_VALUES:
        raise CMError(f"explore.{name} has {len(values)} values (at most {MAX_VALUES})")
    return values


def _evaluate(name: str, text: str) -> list[Any]:
    from colmind.expr import ExprError, compile_expr

    try:
        result = compile_expr(text, names=()).evaluate({})
    except ExprError as exc:
        raise CMError(f"explore.{name}: {exc}") from None
    if isinstance(result, (list, tuple, range)):
        return list(result)
    if isinstance(result, dict):
        raise CMError(f"explore.{name}: the expression {text!r} gives a dict, not a list of values")
    return [result]


def build_space(explore: dict[str, Any]) -> dict[str, list[Any]]:
    """Every dimension evaluated (all errors before anything runs), total size bounded."""
    if not isinstance(explore, dict):
        raise CMError(f"explore must be a mapping of VAR -> values, not {type(explore).__name__}")
    space = {str(k): dimension_values(str(k), v) for k, v in explore.items()}
    total = 1
    for values in space.values():
        total *= len(values)
    if total > MAX_STEPS:
        raise CMError(f"the sweep has {total} steps (at most {MAX_STEPS})")
    return space
