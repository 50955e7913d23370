"""State shared by all recipe calls of one top-level run: the core, remembered selections, the
console, warnings already given, the plan tree and the chain of recipes being executed.
"""

from __future__ import annotations

import contextvars
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from colmind.engine.plan import Node

_current: contextvars.ContextVar[RunContext | None] = contextvars.ContextVar("colmind_run", default=None)


def current() -> RunContext | None:
    """The run in progress in this process (recipes calling ``access`` join it)."""
    return _current.get()


class Console:
    """Engine messages on stderr, CM style (``* cm run script "..."``, ``! cd``, ``! call``)."""

    def __init__(self, *, enabled: bool, verbose: bool, silent: bool) -> None:
        self.enabled = enabled and not silent
        self.verbose = verbose and self.enabled

    def info(self, depth: int, text: str) -> None:
        if self.enabled:
            sys.stderr.write("  " * depth + text + "\n")
            sys.stderr.flush()

    def debug(self, depth: int, text: str) -> None:
        if self.verbose:
            sys.stderr.write("  " * depth + "  - " + text + "\n")
            sys.stderr.flush()

    def warn(self, text: str) -> None:
        sys.stderr.write("WARNING: " + text + "\n")
        sys.stderr.flush()


@dataclass
class RunContext:
    """One top-level ``cm run script`` and everything it calls."""

    core: Any
    automation: Any
    console: Console
    quiet: bool = False
    dry_run: bool = False
    remembered: dict[str, str] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set)
    chain: list[str] = field(default_factory=list)
    root: Node | None = None
    started: float = field(default_factory=time.time)
    chooser: Callable[..., int] | None = None
    version_info: list[dict[str, Any]] = field(default_factory=list)
    token: Any = None

    def warn_once(self, key: str, text: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            self.console.warn(text)

    def activate(self) -> None:
        self.token = _current.set(self)

    def deactivate(self) -> None:
        if self.token is not None:
            _current.reset(self.token)
            self.token = None
