"""The import contracts of pyproject.toml hold, and an upward import breaks them (checked on a copy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (extra 'test')")


def _lint(src: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT), "--no-cache", "--config", str(config)], cwd=src.parent, env=env,
                          capture_output=True, text=True, timeout=300)


def _copy_tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "colmind", src / "colmind",
                    ignore=shutil.ignore_patterns("repo", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return src


def test_the_contracts_hold() -> None:
    proc = _lint(ROOT / "src", ROOT / "pyproject.toml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 kept, 0 broken" in proc.stdout


# (module written into, the upward import added, what lint-imports must report)
BREAKS = [
    ("store/ids.py", "from colmind.cli import main", "colmind.store is not allowed to import colmind.cli"),
    ("engine/plan.py", "from colmind import automations", "colmind.engine is not allowed to import colmind.automations"),
    ("config.py", "from colmind.cli import info", "colmind.config is not allowed to import colmind.cli"),
    ("store/meta.py", "import colmind.core", "colmind.store is not allowed to import colmind.core"),
    ("expr/__init__.py", "from colmind.store import ids", "colmind.expr is not allowed to import colmind.store"),
]


@pytest.mark.parametrize(("module", "line", "report"), BREAKS, ids=[b[0] for b in BREAKS])
def test_an_upward_import_breaks_the_contract(tmp_path: Path, module: str, line: str, report: str) -> None:
    src = _copy_tree(tmp_path)
    target = src / "colmind" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # an upward arrow, on purpose\n",
                      encoding="utf-8")
    proc = _lint(src, tmp_path / "pyproject.toml")
    assert proc.returncode != 0
    assert report in proc.stdout, proc.stdout


FRONT_ENDS = ("experiment", "playground", "container", "mlc")


@pytest.mark.parametrize("package", FRONT_ENDS)
def test_a_front_end_is_held_above_the_api(tmp_path: Path, package: str) -> None:
    """The front-end layers are optional: checked as soon as the package exists (a stand-in is
    planted where it does not exist yet)."""
    src = _copy_tree(tmp_path)
    front = src / "colmind" / package
    if not front.exists():
        front.mkdir()
        (front / "__init__.py").write_text("from colmind.api import access\n")
        assert _lint(src, tmp_path / "pyproject.toml").returncode == 0
    (src / "colmind" / "automations" / "planted.py").write_text(f"import colmind.{package}\n")
    proc = _lint(src, tmp_path / "pyproject.toml")
    assert proc.returncode != 0
    assert f"colmind.automations is not allowed to import colmind.{package}" in proc.stdout, proc.stdout
