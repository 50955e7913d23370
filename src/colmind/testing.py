"""Helpers for tests (of colmind and of recipe repositories): run ``cm`` in-process."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Any


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


def cli_ok(cli: Any, *argv: str) -> CliResult:
    """``cli(*argv)`` (a ``run_cli``-like callable) that must succeed without a traceback."""
    res = cli(*argv)
    assert res.code == 0, res.stderr
    assert "Traceback" not in res.stderr
    return res  # type: ignore[no-any-return]


def api_ok(i: Any) -> dict[str, Any]:
    """``colmind.access(i)`` that must succeed."""
    from colmind import access

    r = access(i)
    assert r["return"] == 0, r
    return r
