"""Helpers for tests (of colmind and of recipe repositories): run ``cm`` in-process."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(*argv: str) -> CliResult:
    """Run ``cm *argv`` in this process, capturing its output and exit status."""
    from colmind.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # an action that exits (cmind.halt)
            code = int(exc.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())
