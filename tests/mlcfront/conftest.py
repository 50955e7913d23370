"""The MLC front-end's tests (``colmind.mlc``; the folder is not ``tests/mlc``: pytest puts ``tests/`` on
``sys.path``, where a package named ``mlc`` would shadow ``import mlc``): a private ``$MLC_REPOS`` and the
community MLC fixture repository."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from colmind.testing import CliResult

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "community" / "repo-mlc"


@pytest.fixture(autouse=True)
def mlc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``$MLC_REPOS`` in the test's folder; the front-end flag is switched off again afterwards."""
    from colmind import config

    repos = tmp_path / "MLC" / "repos"
    monkeypatch.setenv("MLC_REPOS", str(repos))
    yield repos
    config.use_mlc_registry(False)


@pytest.fixture
def mlc_repo(tmp_path: Path) -> Path:
    """A copy of the MLC-format fixture repository (alias community-fixtures@mlc)."""
    import os
    import time

    dest = tmp_path / "repo-mlc"
    shutil.copytree(FIXTURE, dest)
    old = time.time() - 3600  # not "just modified": colmind caches the metas of settled files
    for path in [dest, *dest.rglob("*")]:
        os.utime(path, (old, old))
    return dest


def run_mlc(*argv: str) -> CliResult:
    """``mlc *argv`` in this process (a shortcut: ``run_mlc('run', 'script', ...)`` = ``mlcr ...``)."""
    from colmind.mlc.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def mlc():
    return run_mlc


@pytest.fixture
def registered(mlc_repo: Path) -> Path:
    res = run_mlc("add", "repo", str(mlc_repo))
    assert res.code == 0, res.stderr
    return mlc_repo
