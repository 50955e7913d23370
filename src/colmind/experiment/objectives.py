"""Objectives (``max:KEY`` / ``min:KEY``) and constraints (safe expressions) over experiment records.

A KEY is a record key (``Result``, ``output.return``) or, when no record has it, a derived metric
written in ``colmind.expr`` (``samples/seconds``). Expressions see every record key that is a name,
the step's dimension values, and ``result`` (the whole record: ``result['output.return']``).
A record that lacks what an objective or a constraint needs is not feasible (a failed step).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from colmind.errors import CMError

SENSES = ("max", "min")
DIMS_PREFIX = "colmind_dims."  # records keep their step's dimension values as colmind_dims.NAME


class ObjectiveError(CMError, ValueError):
    """A malformed objective or constraint, or one that no record can satisfy."""


def variables(record: Mapping[str, Any]) -> dict[str, Any]:
    """What expressions over ``record`` see: its dimension values, its keys, and ``result``."""
    names = {k[len(DIMS_PREFIX):]: v for k, v in record.items() if k.startswith(DIMS_PREFIX)}
    names.update(record)
    names["result"] = dict(record)
    return names


def as_number(value: Any) -> float | None:
    """A finite float from a number or a numeric string; None otherwise (bools are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Objective:
    """One objective: a record key or derived metric to maximise or minimise."""

    key: str
    maximize: bool
    expr: Any = None  # a compiled colmind.expr expression when KEY is not a plain key

    @classmethod
    def parse(cls, text: str) -> Objective:
        sense, sep, key = str(text).partition(":")
        sense, key = sense.strip().lower(), key.strip()
        if not sep or sense not in SENSES or not key:
            raise ObjectiveError(f"objective {text!r}: write max:KEY or min:KEY")
        return cls(key, sense == "max", _maybe_expression(key))

    @property
    def label(self) -> str:
        return f"{'max' if self.maximize else 'min'}:{self.key}"

    def value(self, record: Mapping[str, Any]) -> float | None:
        """The objective's value in ``record`` (None where it has none)."""
        if self.key in record:
            return as_number(record[self.key])
        if self.expr is None:
            return None
        from colmind.expr import ExprError

        try:
            return as_number(self.expr.evaluate(variables(record)))
        except (ExprError, ArithmeticError, TypeError, ValueError):
            return None


def _maybe_expression(key: str) -> Any:
    """The key compiled as an expression, or None when it is only a key name (``a.b``, ``x-y``)."""
    from colmind.expr import ExprError, compile_expr

    try:
        return compile_expr(key)
    except ExprError:
        return None


@dataclass(frozen=True)
class Constraint:
    """A boolean expression over a record that a feasible record satisfies."""

    text: str
    expr: Any

    @classmethod
    def parse(cls, text: str) -> Constraint:
        from colmind.expr import ExprError, compile_expr

        try:
            return cls(str(text), compile_expr(str(text)))
        except ExprError as exc:
            raise ObjectiveError(f"constraint {text!r}: {exc}") from exc

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.expr.names)

    def satisfied(self, names: Mapping[str, Any]) -> bool:
        """True when the expression holds; False when it does not or cannot be evaluated."""
        from colmind.expr import ExprError

        try:
            return bool(self.expr.evaluate(names))
        except (ExprError, ArithmeticError, TypeError, ValueError):
            return False


def repeated(i: Mapping[str, Any], key: str) -> list[str]:
    """Every value of a repeatable flag: ``--objective=max:a --objective=min:b`` (the command line
    keeps only the last in ``i[key]``; the raw argv in ``i['cmd']`` has them all), a list
    (``@input.yaml``, the API, ``--objective,=max:a,min:b``) or one string."""
    flag = f"--{key}="
    given = [a[len(flag):] for a in i.get("cmd") or [] if isinstance(a, str) and a.startswith(flag)]
    if len(given) > 1:
        return given
    return _as_list(i.get(key))


def split_objectives(texts: Iterable[str]) -> list[str]:
    """``max:a,min:b`` in one value is two objectives (a comma before ``max:``/``min:``)."""
    import re

    out: list[str] = []
    for text in texts:
        out += [t for t in re.split(r",\s*(?=(?:max|min):)", text) if t.strip()]
    return out


def parse_objectives(texts: str | Iterable[str] | None) -> list[Objective]:
    return [Objective.parse(t) for t in split_objectives(_as_list(texts))]


def parse_constraints(texts: str | Iterable[str] | None) -> list[Constraint]:
    return [Constraint.parse(t) for t in _as_list(texts)]


def _as_list(texts: str | Iterable[str] | None) -> list[str]:
    if texts is None or texts == "" or texts is True:
        return []
    if isinstance(texts, str):
        return [texts]
    return [str(t) for t in texts if str(t).strip()]


def feasible(record: Mapping[str, Any], constraints: Sequence[Constraint]) -> bool:
    names = variables(record)
    return all(c.satisfied(names) for c in constraints)


def check_known(records: Sequence[Mapping[str, Any]], objectives: Sequence[Objective],
                constraints: Sequence[Constraint]) -> None:
    """Refuse objectives no record has a value for, and constraints naming keys no record has
    (a typo would otherwise silently give an empty front)."""
    if not records:
        return
    for obj in objectives:
        if all(obj.value(r) is None for r in records):
            raise ObjectiveError(f"objective {obj.label}: no record has a numeric value for it")
    known = set().union(*(variables(r) for r in records))
    for con in constraints:
        missing = sorted(con.names - known)
        if missing:
            raise ObjectiveError(f"constraint {con.text!r}: no record has {', '.join(missing)}")
