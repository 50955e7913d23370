"""Shared fixtures: every test gets its own ``CM_REPOS`` and a fresh core."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from colmind.testing import CliResult, run_cli  # noqa: F401  (re-exported fixtures helpers)


@pytest.fixture(autouse=True)
def cm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point ``CM_REPOS`` at a temporary folder, work in it, and clear other CM settings."""
    from colmind.core import reset_core

    home = tmp_path / "CM"
    for name in list(os.environ):
        if name.startswith("CM_") or name.startswith("MLC_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CM_REPOS", str(home))
    # run records, reports and tmp files of recipes land in the test's folder, never in the checkout
    monkeypatch.chdir(tmp_path)
    reset_core()
    yield home
    reset_core()


@pytest.fixture
def cli():
    """``cli('find', 'repo')`` runs ``cm`` in-process and returns a ``CliResult``."""
    return run_cli
