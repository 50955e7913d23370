"""The community recipe collections (cm4mlops, mlc-scripts) that ``benchmarks/setup_tools.py``
installs, for the tests that run real community recipes; they skip where it has not run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from colmind.testing import CliResult

PATHS = Path(__file__).resolve().parents[2] / "benchmarks" / ".venvs" / "PATHS.json"
NEEDS_COLLECTIONS = [pytest.mark.slow,
                     pytest.mark.skipif(not PATHS.is_file(), reason="community collections are not installed")]


def collection(name: str) -> str:
    """The folder of one installed collection (``cm4mlops_repo``, ``mlc_scripts_repo``)."""
    path = json.loads(PATHS.read_text())[name]
    if not Path(path).is_dir():
        pytest.skip(f"{path} is missing")
    return str(path)


def result_of(r: CliResult) -> dict:
    """The ``-j`` JSON result a ``cm run script`` printed on stderr."""
    start = r.stderr.index('{\n  "return"')
    return json.loads(r.stderr[start:r.stderr.index("\n}\n", start) + 2])
