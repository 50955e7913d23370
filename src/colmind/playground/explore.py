"""The results explorer: select experiments, derive, filter, plot, aggregate, sort and page.

A :class:`Query` holds the whole state of the explorer page (it is the page's URL); :func:`run`
turns it into an :class:`Outcome` (records shown, plot traces, Pareto front, table page, counts).
"""

from __future__ import annotations

import math
import statistics
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from colmind.playground import expressions, names
from colmind.playground.pareto import front

FIRST_COLUMNS = ["Organization", "Model", "Scenario", "SystemName", "notes", "framework", "Result",
                 "Result_Units", "Accuracy"]
PLOT_TYPES = {"": "", "2d-static": "2d-static", "2d": "2d-static", "scatter": "2d-static", "bar": "bar"}
AGGREGATES = ("mean", "median", "min", "max", "count", "sum")
MAX_POINTS = 5000  # SVG markers; more is unreadable and slow to draw


@dataclass
class Query:
    """Explorer state; every field is a URL parameter of ``?action=experiments``."""

    name: str = ""
    tags: str = ""
    result_uid: str = ""
    type: str = "2d-static"
    x: str = "Result"
    y: str = "Accuracy"
    c: str = "version"
    s: str = ""
    size: str = ""
    logx: str = ""
    logy: str = ""
    filter: str = ""
    derived_metrics: str = ""
    pareto: str = ""  # "", "max,max", "max,min", "min,max", "min,min" (X, Y)
    group: str = ""
    agg: str = "mean"
    sort: str = ""
    desc: str = ""
    page: int = 1
    per_page: int = 50
    title: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Query:
        """Validated state from URL parameters, with upstream's spellings accepted."""
        p = dict(params)
        if "axis_key_s" in p and "s" not in p:
            p["s"] = p["axis_key_s"]
        for alias, real in (("axis_key_x", "x"), ("axis_key_y", "y"), ("axis_key_c", "c")):
            if alias in p and real not in p:
                p[real] = p[alias]
        q = cls()
        for f in fields(cls):
            if f.name in p:
                value = p[f.name]
                setattr(q, f.name, _int(value, f.name) if f.type == "int" else str(value))
        q.validate()
        return q

    def validate(self) -> None:
        for n in names.names(self.name, "experiment name"):
            del n
        names.tags(self.tags)
        self.result_uid = names.uid(self.result_uid)
        t = self.type.strip().lower()
        if t not in PLOT_TYPES:
            raise names.BadInput(f"unknown plot type {self.type[:30]!r}: use 2d-static, 2d or bar")
        self.type = PLOT_TYPES[t]
        for k in ("x", "y", "c", "s", "size", "group", "sort"):
            names.key(getattr(self, k))
        names.expression(self.filter, "filter")
        names.expression(self.derived_metrics, "derived metrics")
        if self.pareto and self.pareto not in ("max,max", "max,min", "min,max", "min,min"):
            raise names.BadInput("pareto must be one of max,max max,min min,max min,min")
        if self.agg not in AGGREGATES:
            raise names.BadInput(f"agg must be one of {', '.join(AGGREGATES)}")
        self.page = max(1, self.page)
        self.per_page = min(max(1, self.per_page), 1000)

    def params(self, **changes: Any) -> dict[str, str]:
        """Non-default state as URL parameters (with ``changes`` applied)."""
        default = Query()
        out = {"action": "experiments"}
        for f in fields(self):
            value = changes.get(f.name, getattr(self, f.name))
            if value != getattr(default, f.name) or f.name in changes:
                out[f.name] = str(value)
        return out


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise names.BadInput(f"{what} must be a whole number") from None


@dataclass
class Outcome:
    experiments: list[dict[str, Any]]
    records: list[dict[str, Any]]
    columns: list[str]
    total_loaded: int
    errors: expressions.Errors
    traces: list[dict[str, Any]] = field(default_factory=list)
    front: dict[str, list[Any]] = field(default_factory=dict)
    front_uids: set[str] = field(default_factory=set)
    missing: dict[str, int] = field(default_factory=dict)
    points: int = 0
    groups: list[dict[str, Any]] = field(default_factory=list)
    page_rows: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 1


def select_experiments(all_exps: list[dict[str, Any]], q: Query) -> list[dict[str, Any]]:
    """By name (alias or uid, ``alias,uid`` allowed), else by tags (all must match), else all."""
    wanted = [n.lower() for n in names.names(q.name, "experiment name")]
    if wanted:
        out = [e for e in all_exps if e["alias"].lower() in wanted or e["uid"].lower() in wanted]
    else:
        tags = names.tags(q.tags)
        out = [e for e in all_exps if all(f",{t}," in e["tags"] for t in tags if not t.startswith("-"))
               and not any(f",{t[1:]}," in e["tags"] for t in tags if t.startswith("-"))]
    return sorted(out, key=lambda e: (e["tags"], e["alias"], e["uid"]))


def columns_of(records: list[dict[str, Any]]) -> list[str]:
    """Upstream's column order: the usual MLPerf keys first, then the rest case-insensitively."""
    keys: dict[str, None] = {}
    for rec in records:
        for k in rec:
            keys.setdefault(k, None)
    first = [k for k in FIRST_COLUMNS if k in keys]
    rest = sorted((k for k in keys if k not in FIRST_COLUMNS), key=lambda k: (k.lower(), k))
    return first + rest


Selection = tuple[list[dict[str, Any]], int, expressions.Errors, list[str]]


class SelectionCache:
    """Recent (experiments and their generations, uid, derived metrics, filter) -> records kept.

    Paging, sorting, re-plotting and concurrent viewers of one view reuse the filtered set; any
    change of an experiment's files changes its generation and so the key.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._data: dict[tuple[Any, ...], Selection] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Selection | None:
        with self._lock:
            hit = self._data.pop(key, None)
            if hit is not None:
                self._data[key] = hit  # most recent last
            return hit

    def put(self, key: tuple[Any, ...], value: Selection) -> None:
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.pop(next(iter(self._data)))


def select_records(q: Query, exps: list[dict[str, Any]], load: Any,
                   cache: SelectionCache | None = None) -> Selection:
    """Records of the experiments with derived metrics added and the filter applied (cached)."""
    derived = expressions.compile_derived(q.derived_metrics)
    flt = expressions.compile_filter(q.filter)
    key = (tuple((e["uid"], e["generation"]) for e in exps), q.result_uid, q.derived_metrics, q.filter)
    hit = cache.get(key) if cache is not None else None
    if hit is not None:
        return hit
    loaded: list[dict[str, Any]] = []
    for exp in exps:
        loaded.extend(load(exp))
    if q.result_uid:
        loaded = [r for r in loaded if str(r.get("uid", "")).lower() == q.result_uid]
    errors = expressions.Errors()
    kept = expressions.apply(loaded, derived, flt, errors)
    value = (kept, len(loaded), errors, columns_of(kept))
    if cache is not None:
        cache.put(key, value)
    return value


def run(q: Query, exps: list[dict[str, Any]], load: Any, cache: SelectionCache | None = None) -> Outcome:
    """The explorer's pipeline over the selected experiments (``load(exp)`` gives their records)."""
    recs, total, errors, columns = select_records(q, exps, load, cache)
    out = Outcome(exps, recs, columns, total, errors)
    if q.type:
        _plot(q, out)
    elif q.group:
        out.groups = aggregate(recs, q.group, [q.x, q.y] + ([q.size] if q.size else []), q.agg)
    _table(q, out)
    return out


def number(value: Any) -> float | None:
    """A finite float from a record value (bools and text are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    return None


def _plot(q: Query, out: Outcome) -> None:
    rows = out.records
    if q.group:
        out.groups = aggregate(rows, q.group, [q.x, q.y] + ([q.size] if q.size else []), q.agg)
        rows = out.groups
    pts: list[tuple[float, float, dict[str, Any]]] = []
    missing = {"x": 0, "y": 0, "log": 0}
    for rec in rows:
        x, y = number(rec.get(q.x)), number(rec.get(q.y))
        if x is None or y is None:
            missing["x" if x is None else "y"] += 1
            continue
        if (q.logx and x <= 0) or (q.logy and y <= 0):
            missing["log"] += 1
            continue
        pts.append((x, y, rec))
    out.missing = {k: v for k, v in missing.items() if v}
    if len(pts) > MAX_POINTS:
        out.missing["cut"] = len(pts) - MAX_POINTS
        pts = pts[:MAX_POINTS]
    out.points = len(pts)
    out.traces = _traces(q, pts)
    if q.pareto and pts:
        mx = tuple(d == "max" for d in q.pareto.split(","))
        idx = front([(p[0], p[1]) for p in pts], (mx[0], mx[1]))
        out.front = {"x": [pts[i][0] for i in idx], "y": [pts[i][1] for i in idx]}
        out.front_uids = {str(pts[i][2].get("uid")) for i in idx if pts[i][2].get("uid") is not None}


def _label(value: Any) -> str:
    return "(none)" if value is None or value == "" else str(value)


def _traces(q: Query, pts: list[tuple[float, float, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One trace per colour value; the legend shows data values (not palette names, P12)."""
    colour = q.group if q.group else q.c
    styles: dict[str, int] = {}
    sizes = [number(p[2].get(q.size)) for p in pts] if q.size else []
    smax = max((s for s in sizes if s is not None), default=0.0) or 1.0
    traces: dict[str, dict[str, Any]] = {}
    for i, (x, y, rec) in enumerate(pts):
        name = _label(rec.get(colour)) if colour else "records"
        t = traces.setdefault(name, {"name": _esc(name), "x": [], "y": [], "text": [], "uid": [], "symbol": [],
                                     "size": []})
        t["x"].append(x)
        t["y"].append(y)
        t["uid"].append(str(rec.get("uid", "")))
        t["text"].append(_hover(rec, q))
        if q.s:
            t["symbol"].append(styles.setdefault(_label(rec.get(q.s)), len(styles)))
        if q.size:
            s = sizes[i]
            t["size"].append(6 + 24 * math.sqrt(max(s, 0) / smax) if s is not None else 4)
    return sorted(traces.values(), key=lambda t: t["name"])


HOVER_KEYS = ("Organization", "SystemName", "Model", "Scenario", "accelerator_model_name", "version", "uid")


def _hover(rec: dict[str, Any], q: Query) -> str:
    keys = [q.x, q.y] + [k for k in (q.c, q.s, q.size, q.group) if k] + list(HOVER_KEYS)
    seen: list[str] = []
    for k in keys:
        if k in rec and k not in seen:
            seen.append(k)
    return "<br>".join(f"{_esc(k)}: {_esc(str(rec[k]))[:80]}" for k in seen)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def aggregate(rows: list[dict[str, Any]], key: str, value_keys: list[str], how: str) -> list[dict[str, Any]]:
    """One row per distinct ``key`` value with ``how`` of each numeric ``value_keys`` and ``count``."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for rec in rows:
        groups.setdefault(_label(rec.get(key)), []).append(rec)
    out = []
    for gval, members in groups.items():
        row: dict[str, Any] = {key: gval, "count": len(members)}
        for vk in dict.fromkeys(value_keys):
            nums = [n for n in (number(m.get(vk)) for m in members) if n is not None]
            row[vk] = _agg(nums, how) if nums else None
        out.append(row)
    return sorted(out, key=lambda r: str(r[key]))


def _agg(nums: list[float], how: str) -> float:
    if how == "mean":
        return statistics.fmean(nums)
    if how == "median":
        return float(statistics.median(nums))
    if how == "min":
        return min(nums)
    if how == "max":
        return max(nums)
    if how == "sum":
        return math.fsum(nums)
    return float(len(nums))


def sort_rows(rows: list[dict[str, Any]], key: str, desc: bool) -> list[dict[str, Any]]:
    """Numbers before text, missing values last (in both directions)."""
    def k(r: dict[str, Any]) -> tuple[int, float, str]:
        v = r.get(key)
        n = number(v)
        if n is not None:
            return (0, -n if desc else n, "")
        if v is None or v == "":
            return (2, 0.0, "")
        return (1, 0.0, str(v).lower())
    nums = sorted(rows, key=k)
    if desc:  # text descending too, keeping numbers first and missing last
        texts = [r for r in nums if k(r)[0] == 1][::-1]
        return [r for r in nums if k(r)[0] == 0] + texts + [r for r in nums if k(r)[0] == 2]
    return nums


def _table(q: Query, out: Outcome) -> None:
    rows = out.groups if q.group else out.records
    if q.sort:
        rows = sort_rows(rows, q.sort, bool(q.desc))
    out.pages = max(1, math.ceil(len(rows) / q.per_page))
    page = min(q.page, out.pages)
    out.page_rows = rows[(page - 1) * q.per_page: page * q.per_page]
