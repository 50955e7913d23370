"""Dask and Optuna are imported only by the commands that need them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import colmind

SRC = str(Path(colmind.__file__).resolve().parent.parent)
HEAVY = ("dask", "distributed", "optuna")
pytestmark = pytest.mark.slow


def _loaded(tmp_path: Path, *commands: list[str]) -> set[str]:
    code = ("import sys\nfrom colmind.cli.main import main\n"
            + "".join(f"assert main({c!r}) == 0\n" for c in commands)
            + f"print('@@' + ','.join(m for m in {HEAVY!r} if m in sys.modules) + '@@')")
    env = dict(os.environ, PYTHONPATH=SRC, CM_REPOS=str(tmp_path / "CM"), CM_INDEX_MONITOR="no")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    listed = proc.stdout.split("@@")[1]
    return set(filter(None, listed.split(",")))


def test_grid_sweep_and_pareto_import_neither(tmp_path: Path) -> None:
    run = ["run", "experiment", "e", "--explore.X=[1, 2]", "--", 'echo "{\\"v\\": $X}" > cm-output.json']
    pareto = ["pareto", "experiment", "e", "--objective=max:v", "--constraint=X > 0"]
    random = ["run", "experiment", "r", "--explore.X=[1, 2, 3]", "--explore_strategy=random", "--budget=2",
              "--", "true"]
    assert _loaded(tmp_path, run, pareto, random) == set()


def test_optuna_and_dask_are_loaded_when_named(tmp_path: Path) -> None:
    optuna = ["run", "experiment", "o", "--explore.X=[1, 2, 3]", "--explore_strategy=optuna", "--budget=2",
              "--objective=max:v", "--", 'echo "{\\"v\\": $X}" > cm-output.json']
    assert _loaded(tmp_path, optuna) == {"optuna"}
