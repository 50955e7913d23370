"""Challenges (status and order), contributors (upstream points formula) and reports."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

_DATE = re.compile(r"^\d{8}$")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def valid_date(value: Any) -> str:
    """A ``YYYYMMDD`` date that exists, else ``''`` (upstream compared any text)."""
    text = str(value or "")
    if not _DATE.match(text):
        return ""
    try:
        _dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return ""
    return text


def show_date(value: str) -> str:
    """``YYYYMMDD`` -> ``YYYY Mon D`` (upstream's ``convert_date``)."""
    d = valid_date(value)
    return f"{d[:4]} {_MONTHS[int(d[4:6]) - 1]} {int(d[6:])}" if d else ""


def challenge_status(meta: dict[str, Any], today: str) -> str:
    """``ongoing`` | ``future`` | ``past`` | ``preparation``.

    Fixed edge cases: a challenge opening in the future is not ongoing; one closing today still is.
    """
    if meta.get("under_preparation"):
        return "preparation"
    opened, closed = valid_date(meta.get("date_open")), valid_date(meta.get("date_close"))
    if not opened:
        return "preparation"
    if opened > today:
        return "future"
    if closed and closed < today:
        return "past"
    return "ongoing"


def challenge_sort_key(meta: dict[str, Any]) -> tuple[Any, ...]:
    return (-int(valid_date(meta.get("date_open")) or 0), -int(valid_date(meta.get("date_close")) or 0),
            str(meta.get("title") or meta.get("alias") or ""))


def contributor_points(meta: dict[str, Any]) -> int:
    """Upstream: 1 + sum(points[].point) + len(challenges) + len(ongoing)."""
    total = 1
    for p in meta.get("points") or []:
        if isinstance(p, dict):
            try:
                total += int(p.get("point", 0))
            except (TypeError, ValueError):
                pass
    return total + len(meta.get("challenges") or []) + len(meta.get("ongoing") or [])


def contributor_name(meta: dict[str, Any]) -> str:
    name, org = str(meta.get("name") or ""), str(meta.get("organization") or "")
    if name and org:
        return f"{name} ({org})"
    return name or org or str(meta.get("alias") or "")


def leaderboard(metas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered as upstream: ongoing first, points desc, trophies desc, last word of the name."""
    rows: list[dict[str, Any]] = []
    for m in metas:
        if m.get("skip"):
            continue
        trophies = [t.get("url") for t in m.get("trophies") or [] if isinstance(t, dict)]
        name = contributor_name(m)
        rows.append({"meta": m, "name": name, "points": contributor_points(m), "trophies": trophies,
                     "ongoing": bool(m.get("ongoing"))})
    rows.sort(key=lambda r: (not r["ongoing"], -int(r["points"]), -len(r["trophies"]),
                             (str(r["name"]).split() or [""])[-1].lower()))
    return rows


def today() -> str:
    return _dt.date.today().strftime("%Y%m%d")
