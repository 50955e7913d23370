"""State shared by all recipe calls of one top-level run: the core, remembered selections, the
console, warnings already given, the plan tree and the chain of recipes being executed.
"""

from __future__ import annotations

import contextvars
import sys
import time
from collections.abc import Callable

from colmind.engine.plan import Node
from colmind.valueclass import Value

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

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


class RunContext(Value):
    """One top-level ``cm run script`` and everything it calls."""

    _fields = ("core", "automation", "console", "quiet", "dry_run", "remembered", "warned", "chain", "root",
               "started", "chooser", "version_info", "token", "literal_env")

    def __init__(self, core: Any, automation: Any, console: Console, quiet: bool = False, dry_run: bool = False,
                 remembered: dict[str, str] | None = None, warned: set[str] | None = None,
                 chain: list[str] | None = None, root: Node | None = None, started: float | None = None,
                 chooser: Callable[..., int] | None = None, version_info: list[dict[str, Any]] | None = None,
                 token: Any = None) -> None:
        self.core = core
        self.automation = automation
        self.console = console
        self.quiet = quiet
        self.dry_run = dry_run
        self.remembered: dict[str, str] = {} if remembered is None else remembered
        self.warned: set[str] = set() if warned is None else warned
        self.chain: list[str] = [] if chain is None else chain
        self.root = root
        self.started = time.time() if started is None else started
        self.chooser = chooser
        self.version_info: list[dict[str, Any]] = [] if version_info is None else version_info
        self.token = token
        # values given by the user (``--env.K``, input flags, input_mapping at the top) or taken
        # from the host: written to native scripts literally (E9); every other value is a recipe's
        # own and keeps CM's double-quoted meaning (``\${PIPESTATUS[0]}`` expands in the script)
        self.literal_env: dict[str, set[str]] = {}

    def protect(self, key: str, value: Any) -> None:
        """Mark ``value`` of ``key`` as user/host text (see ``shell.export_lines``)."""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            self.literal_env.setdefault(key, set()).add(str(value))

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
