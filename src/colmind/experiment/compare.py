"""Old vs new record: every numeric key with its relative change, against a tolerance in percent."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from colmind.errors import CMError
from colmind.experiment.model import BOOKKEEPING, K_DIMS


@dataclass
class Row:
    key: str
    old: float
    new: float | None
    change: float | None  # relative change in percent; None when the key is gone
    ok: bool
    tolerance: float = 5.0

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "old": self.old, "new": self.new, "change_percent": self.change, "ok": self.ok,
                "tolerance_percent": self.tolerance}


def parse_tolerance(value: Any) -> float:
    """``--tolerance=5`` or ``5%`` (percent); default 5."""
    if value in (None, "", True):
        return 5.0
    text = str(value).strip().rstrip("%")
    try:
        tolerance = float(text)
    except ValueError:
        raise CMError(f"--tolerance must be a percentage such as 5 or 2.5%, not {value!r}") from None
    if tolerance < 0 or not math.isfinite(tolerance):
        raise CMError(f"--tolerance must be a finite percentage >= 0, not {value!r}")
    return tolerance


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_compare(value: Any, tolerance: float) -> list[tuple[str, float]]:
    """``--compare=Result,Accuracy*:1%`` (a string or a list) -> (key pattern, tolerance) pairs."""
    if value in (None, "", True, False):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    out = []
    for item in items:
        pattern, _, tol = str(item).strip().partition(":")
        if pattern:
            out.append((pattern, parse_tolerance(tol) if tol else tolerance))
    return out


def compare(old: dict[str, Any], new: dict[str, Any], tolerance: float,
            only: list[tuple[str, float]] | None = None) -> list[Row]:
    """Rows for every numeric key of ``old`` (or only those matching ``only``'s patterns, each
    with its own tolerance)."""
    from fnmatch import fnmatchcase

    rows = []
    for key in sorted(old):
        if key in BOOKKEEPING or key.startswith(K_DIMS + ".") or key.startswith("colmind_") or not _number(old[key]):
            continue
        limit = tolerance
        if only:
            matched = [tol for pattern, tol in only if fnmatchcase(key, pattern)]
            if not matched:
                continue
            limit = matched[0]
        value: Any = new.get(key)
        if not _number(value):
            rows.append(Row(key, float(old[key]), None, None, False, limit))
            continue
        change = _relative(float(old[key]), float(value))  # both numbers (checked above)
        rows.append(Row(key, float(old[key]), float(value), change, abs(change) <= limit, limit))
    return rows


def _relative(old: float, new: float) -> float:
    if old == new:
        return 0.0
    if old == 0:
        return math.inf
    return (new - old) / abs(old) * 100.0


def render(rows: list[Row], tolerance: float) -> str:
    if not rows:
        return "(no numeric key to compare)"
    width = max(len(r.key) for r in rows)
    lines = [f"{'key':{width}}  {'recorded':>14}  {'replayed':>14}  {'change':>9}  {'limit':>7}  ok"]
    for r in rows:
        new = "missing" if r.new is None else f"{r.new:.6g}"
        change = "-" if r.change is None else f"{r.change:+.2f}%"
        lines.append(f"{r.key:{width}}  {r.old:>14.6g}  {new:>14}  {change:>9}  {r.tolerance:>6g}%  "
                     f"{'yes' if r.ok else 'NO'}")
    return "\n".join(lines)
