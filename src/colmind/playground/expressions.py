"""Filters and derived metrics in colmind's one safe expression language (:mod:`colmind.expr`).

Upstream ``exec``'d derived metrics and ``eval``'d filters (P1, P2). Here a filter is one
expression; derived metrics are ``;``- or newline-separated assignments ``result['New'] = EXPR``
(or ``New = EXPR``) whose right-hand sides are expressions. Python's parser only *reads* the
assignment shape; nothing is ever executed. In an expression, ``result`` is the record and every
record key that is an identifier may also be used bare. Per-record errors are counted (P11): a
record whose filter fails is excluded; a failing derived metric leaves that key out.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from colmind.expr import ExprError, Limits, compile_assignments, compile_expr
from colmind.playground.names import MAX_EXPR, BadInput

# per record: a filter or metric needs far fewer steps than an explore value; with the time budget
# of a whole request this bounds what one URL can cost the server
RECORD_LIMITS = Limits(max_text=MAX_EXPR, max_nodes=300, max_items=10_000, max_steps=20_000)
TIME_BUDGET_S = 20.0


class RecordScope(Mapping[str, Any]):
    """Names visible to an expression: ``result`` and the record's keys."""

    __slots__ = ("rec",)

    def __init__(self, rec: dict[str, Any]) -> None:
        self.rec = rec

    def __getitem__(self, name: str) -> Any:
        if name == "result":
            return self.rec
        return self.rec[name]

    def __contains__(self, name: object) -> bool:
        return name == "result" or name in self.rec

    def __iter__(self) -> Iterator[str]:
        yield "result"
        yield from self.rec

    def __len__(self) -> int:
        return len(self.rec) + 1


@dataclass
class Errors:
    """Per-record error counts with the first message of each kind."""

    filter: int = 0
    derived: int = 0
    messages: list[str] = field(default_factory=list)

    def note(self, kind: str, msg: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.messages) < 5 and msg not in self.messages:
            self.messages.append(msg)


def compile_filter(text: str) -> Any | None:
    """The compiled filter, or None for an empty one; bad syntax -> :class:`BadInput`."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_EXPR:
        raise BadInput(f"filter longer than {MAX_EXPR} characters")
    try:
        return compile_expr(text, limits=RECORD_LIMITS)
    except ExprError as exc:
        raise BadInput(f"filter: {exc}") from None


def compile_derived(text: str) -> list[tuple[str, Any]]:
    """``[(key, compiled expr)]`` from ``result['K'] = EXPR; ...`` (:func:`colmind.expr.compile_assignments`)."""
    text = (text or "").strip()
    if not text:
        return []
    if len(text) > MAX_EXPR:
        raise BadInput(f"derived metrics longer than {MAX_EXPR} characters")
    try:
        return list(compile_assignments(text, RECORD_LIMITS).steps)
    except ExprError as exc:
        raise BadInput(f"derived metrics: {exc}") from None


def keys_read(expr: Any) -> set[str] | None:
    """Record keys an expression reads (``result['K']`` or bare ``K``); None when it may read any."""
    tree = getattr(expr, "tree", None)
    if tree is None:
        return None
    keys: set[str] = set()
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id != "result":
                keys.add(node.id)
                continue
            parent = parents.get(id(node))
            if not (isinstance(parent, ast.Subscript) and parent.value is node
                    and isinstance(parent.slice, ast.Constant) and isinstance(parent.slice.value, str)):
                return None
            keys.add(parent.slice.value)
    return keys


def apply(records: list[dict[str, Any]], derived: list[tuple[str, Any]], flt: Any | None,
          errors: Errors) -> list[dict[str, Any]]:
    """Copies of the records with derived keys added, keeping those that pass the filter.

    When the filter reads no derived key it runs first, so derived metrics are computed only for
    the records kept (same result, less work).
    """
    if not derived and flt is None:
        return records
    if derived and flt is not None:
        read = keys_read(flt)
        if read is not None and not read & {k for k, _ in derived}:
            return apply(apply(records, [], flt, errors), derived, None, errors)
    out = []
    start = time.monotonic()
    read = keys_read(flt) if flt is not None and not derived else None
    flt_keys = sorted(read) if read else None
    memo: dict[tuple[Any, ...], bool] = {}
    for n, rec in enumerate(records):
        if n % 64 == 63 and time.monotonic() - start > TIME_BUDGET_S:
            raise BadInput(f"filter and derived metrics took over {TIME_BUDGET_S:.0f} s on {n} of "
                           f"{len(records)} records: simplify them or select fewer experiments")
        if derived:
            rec = dict(rec)
            scope = RecordScope(rec)
            for key, expr in derived:
                try:
                    rec[key] = expr.evaluate(scope)
                except Exception as exc:  # noqa: BLE001 - any failure of user text is counted, never raised
                    errors.note("derived", f"{key}: {type(exc).__name__}: {exc}"[:200])
        if flt is not None and not _passes(flt, rec, flt_keys, memo, errors):
            continue
        out.append(rec)
    return out


_MISSING = object()


def _passes(flt: Any, rec: dict[str, Any], keys: list[str] | None, memo: dict[tuple[Any, ...], bool],
            errors: Errors) -> bool:
    """The filter's verdict; records with the same values of the keys it reads share one evaluation."""
    sig: tuple[Any, ...] | None = None
    if keys is not None:
        # the type too: 1, 1.0 and True are equal keys but str() tells them apart
        sig = tuple((type(v), v) for v in (rec.get(k, _MISSING) for k in keys))
        try:
            hit = memo.get(sig)
        except TypeError:  # an unhashable value (list, dict)
            sig, hit = None, None
        if hit is not None:
            return hit  # only successful evaluations are remembered: each failure is counted
    try:
        ok = bool(flt.evaluate(RecordScope(rec)))
    except Exception as exc:  # noqa: BLE001
        errors.note("filter", f"filter: {type(exc).__name__}: {exc}"[:200])
        return False
    if sig is not None:
        memo[sig] = ok
    return ok
