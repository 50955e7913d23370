"""MLC-style version comparison (PEP 440-like: ``1.2rc1 < 1.2``, a leading ``v`` is ignored)."""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_VERSION: Any = None  # compiled on first use: ``re`` is not loaded by merely installing the module


def _key(version: str) -> tuple[list[int], int, str]:
    global _VERSION
    if _VERSION is None:
        import re

        _VERSION = re.compile(r"^\s*v?(\d+(?:\.\d+)*)(.*?)\s*$", re.IGNORECASE)
    match = _VERSION.match(str(version))
    if match is None:
        raise ValueError(f"Invalid version format: Invalid version: '{version}'")
    release = [int(p) for p in match.group(1).split(".")]
    suffix = match.group(2).lstrip(".-_")
    # A final release sorts after any suffixed (pre-release style) version of the same numbers.
    return release, 0 if suffix else 1, suffix


def compare_versions(current_version: str, min_version: str) -> int:
    """1 / 0 / -1; missing parts are 0; a suffixed version (``1.2-beta``, ``1.a``) is below ``1.2``.

    An unparsable version raises ValueError (like mlcflow).
    """
    a_rel, a_final, a_suf = _key(current_version)
    b_rel, b_final, b_suf = _key(min_version)
    width = max(len(a_rel), len(b_rel))
    a = (a_rel + [0] * (width - len(a_rel)), a_final, a_suf)
    b = (b_rel + [0] * (width - len(b_rel)), b_final, b_suf)
    return (a > b) - (a < b)
