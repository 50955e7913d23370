"""Markdown to safe HTML: markdown-it-py with raw HTML disabled and only http(s)/relative links."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from colmind.playground.names import is_http_url


@lru_cache(maxsize=1)
def _md() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = _link_ok  # type: ignore[method-assign]
    return md


def _link_ok(url: str) -> bool:
    url = url.strip()
    if is_http_url(url):
        return True
    # relative links and anchors, never a scheme (javascript:, data:, vbscript:, file:)
    return ":" not in url.split("/")[0] and not url.startswith("//")


def render(text: str) -> str:
    """HTML for ``text``; raw HTML in the source is shown as text (upstream P6)."""
    return str(_md().render(text or ""))
