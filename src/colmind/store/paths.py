"""Paths spelled as ``pathlib`` spells them, without importing ``pathlib`` (~15 ms of start-up)."""

from __future__ import annotations

import os


def pure_path(text: str) -> str:
    """``str(pathlib.PurePath(text))``: no ``.`` components, no repeated or trailing separators;
    ``..`` is kept and links are not resolved."""
    if os.name != "posix":  # pragma: no cover - drive letters and the like: let pathlib decide
        from pathlib import PurePath

        return str(PurePath(text))
    root = "//" if text.startswith("//") and not text.startswith("///") else "/" * text.startswith("/")
    parts = [part for part in text.split("/") if part and part != "."]
    return root + "/".join(parts) or "."


def default_repos_dir() -> str:
    """``$CM_REPOS`` (``~`` expanded) or ``~/CM``, spelled exactly as ``pathlib.Path`` spells it."""
    value = os.environ.get("CM_REPOS", "").strip()
    if value:
        return pure_path(os.path.expanduser(value))
    return os.path.join(pure_path(os.path.expanduser("~")), "CM")
