"""Console output and prompts for actions running with ``out='con'``."""

from __future__ import annotations

import sys

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


def say(*parts: Any) -> None:
    print(*parts, flush=True)


def interactive() -> bool:
    """True only when a person can answer a prompt."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def confirm(question: str, default: bool = False) -> bool | None:
    """Ask a yes/no question; None when no terminal is attached (never blocks)."""
    if not interactive():
        return None
    try:
        answer = input(question).strip().lower()
    except EOFError:
        return None
    if not answer:
        return default
    return answer in ("y", "yes")
