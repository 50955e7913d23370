"""``mlc find`` and ``mlc --version`` start fast: the query path imports none of the heavy modules
``cm find`` avoids (``tests/test_import_budget.py``), nor ``shlex``/``difflib``."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import colmind
from colmind.mlc.grammar import shell_join

BUDGET = ("pathlib", "json", "re", "enum", "fnmatch", "urllib", "ipaddress", "threading", "datetime", "copy",
          "contextlib", "importlib.util", "yaml", "colmind.compat", "shlex", "difflib", "colmind.mlc.explore")
SRC = str(Path(colmind.__file__).resolve().parent.parent)


@pytest.mark.parametrize("tokens", [
    ["mlc", "find", "cache", "--tags=zzz", "--k_", "--a.b=c", "--x,=1,2"], ["a b", "it's", "", "$HOME", "ü"],
    ["--env.X=a;b", "\"q\"", "*", "~/x"],
])
def test_shell_join_is_shlex_join(tokens: list[str]) -> None:
    assert shell_join(tokens) == shlex.join(tokens)


def _settle(*folders: Path) -> None:
    """Every file older than the caches' "modified too recently to trust" window."""
    import time

    old = time.time() - 60
    for folder in folders:
        for root, _, files in os.walk(folder):
            for name in files:
                os.utime(os.path.join(root, name), (old, old))


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["find", "script", "mpe-tool", "-p"], ["--version"], ["find", "cache", "x"]])
def test_query_path_imports(registered: Path, cm_home: Path, argv: list[str]) -> None:
    code = ("import sys\nfrom colmind.mlc.cli import main\nmain(sys.argv[1:])\n"
            f"print('@@' + ','.join(m for m in {BUDGET!r} if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=SRC)
    subprocess.run([sys.executable, "-m", "colmind.mlc", *argv], env=env, capture_output=True,
                   stdin=subprocess.DEVNULL, timeout=120)  # a warm index, as in tests/test_import_budget.py
    _settle(cm_home, registered, Path(colmind.__file__).parent / "repo")
    subprocess.run([sys.executable, "-m", "colmind.mlc", *argv], env=env, capture_output=True,
                   stdin=subprocess.DEVNULL, timeout=120)  # caches refreshed for the settled files
    proc = subprocess.run([sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout.rpartition("@@")[2].strip()
    assert loaded == "", f"mlc {' '.join(argv)} imported {loaded}"
