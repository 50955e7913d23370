"""Helpers the templates use: links, number formatting, safe URLs, sanitised markdown, JSON data."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from colmind.playground import markdown
from colmind.playground.names import is_http_url

NAV = [("scripts", "Automation recipes"), ("howtorun", "Modular benchmarks"), ("challenges", "Challenges"),
       ("experiments", "Results"), ("compare", "Compare"), ("reproduce", "Reproducibility"),
       ("contributors", "Leaderboard"), ("reports", "Reports")]


def link(params: dict[str, Any] | None = None, **more: Any) -> str:
    """``/?k=v&...`` for the non-empty parameters."""
    merged = {**(params or {}), **more}
    return "/?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def fmt(value: Any) -> str:
    """Numbers shortened for tables; everything else as text."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)[:300]
    return str(value)


def pct(value: Any) -> str:
    return "" if value is None else f"{value:+.2f} %"


def safe_url(value: Any) -> str | None:
    return value if is_http_url(value) else None


def md(text: str) -> Markup:
    return Markup(markdown.render(text))  # noqa: S704 - markdown-it with html disabled escapes everything


def json_data(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block (``<``, ``>`` and ``&`` escaped)."""
    text = json.dumps(value, default=str, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - no markup can survive the escapes above


def install_globals(env: Any) -> None:
    env.globals.update(link=link, fmt=fmt, pct=pct, safe_url=safe_url, md=md, json_data=json_data, nav=NAV)
    env.autoescape = True
