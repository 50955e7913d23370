"""Errors that explain themselves: a failing native script names the recipe, the chain of
recipes that led to it, the decoded exit status, the last output lines, the log and a command
that re-runs only that recipe (spec 2.10, issue item 8).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from colmind.engine.shell import describe_status
from colmind.errors import ScriptError


class NativeScriptFailed(ScriptError):
    """A native script exited with a non-zero status (CM return code 2)."""

    return_code = 2


def native_failure(alias: str, chain: Sequence[str], script: str, returncode: int, tail: Sequence[str],
                   log_path: str, rerun: str, extra_files: Sequence[str] = ()) -> NativeScriptFailed:
    """Build the error for a failed native script."""
    lines = [f'Portable CM script failed (name = {alias}, {describe_status(returncode)})',
             f"  native script: {script}"]
    if len(chain) > 1:
        lines.append("  called via: " + " -> ".join(chain))
    # the pasteable lines first: the CLI ends the whole message with CM's "!"
    lines.append(f"  full log: {log_path}")
    lines.append(f"  re-run only this recipe: {rerun}")
    for path in extra_files:
        if os.path.isfile(path):
            lines.append(f"  {path}:")
            with open(path, encoding="utf-8", errors="replace") as f:
                lines += ["    | " + t for t in f.read().splitlines()[-20:]]
    if tail:
        lines.append("  last lines of output:")
        lines += ["    | " + t for t in tail[-10:]]
    return NativeScriptFailed("\n".join(lines), returncode=returncode, log=log_path, rerun=rerun)


def rerun_command(cli: str, tags: str, versions: dict[str, str], extra: Sequence[str] = ()) -> str:
    """``cm run script --tags=... --version=...`` for one recipe."""
    import shlex

    parts = ["--tags=" + tags] + [f"--{k}={v}" for k, v in sorted(versions.items())] + list(extra)
    return " ".join([cli] + [shlex.quote(p) for p in parts])
