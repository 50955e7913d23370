"""Where the benchmarked tools live and the clean environment each one runs in.

Three tools are compared side by side:

* ``colmind``: the ``cm`` console script of this project (``.venv/bin/cm``);
* ``cmind``: cmind 4.2.0 (+ the cm4mlops recipes) in ``benchmarks/.venvs/cmind``;
* ``mlcflow``: mlcflow 1.3.8 (+ the MLC recipes) in ``benchmarks/.venvs/mlc``.

Every tool gets a private ``HOME`` (and ``CM_REPOS`` for the CM tools) so that nothing touches the
user's ``~/CM`` or ``~/MLC``. ``PYTHONDONTWRITEBYTECODE`` is removed from the environment by default
because real users have ``.pyc`` caching; ``bytecode=False`` keeps it set for the "no pyc" numbers.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
VENVS_DIR = BENCH_DIR / ".venvs"
WORK_DIR = BENCH_DIR / ".work"
PATHS_FILE = VENVS_DIR / "PATHS.json"

CMIND_VENV = VENVS_DIR / "cmind"
MLC_VENV = VENVS_DIR / "mlc"
CMIND_HOME = VENVS_DIR / "home-cmind"
MLC_HOME = VENVS_DIR / "home-mlc"

# Variables of the tools (and of Python) that must not leak from the caller into a measurement.
_DROPPED_PREFIXES = ("CM_", "MLC_", "CMX_")
_DROPPED_NAMES = ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV",
                  "PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME")


def colmind_cm() -> str:
    """The colmind ``cm`` executable: the project venv first, then the venv running this script."""
    for candidate in (PROJECT_ROOT / ".venv" / "bin" / "cm", Path(sys.executable).parent / "cm"):
        if candidate.is_file() and "cmind" not in str(candidate):
            return str(candidate)
    found = shutil.which("colmind")
    if found:
        return found
    raise SystemExit("colmind's cm not found: run `make venv` (or pip install -e .) first")


def colmind_python() -> str:
    return str(Path(colmind_cm()).parent / "python")


def cmind_cm() -> str:
    return str(CMIND_VENV / "bin" / "cm")


def mlc_exe() -> str:
    return str(MLC_VENV / "bin" / "mlc")


def cmind_python() -> str:
    """The interpreter of the cmind venv (for in-process ``cmind.access`` measurements)."""
    return str(CMIND_VENV / "bin" / "python")


def mlc_python() -> str:
    """The interpreter of the mlcflow venv (for in-process ``mlc.access`` measurements)."""
    return str(MLC_VENV / "bin" / "python")


def baseline_python() -> str:
    """The interpreter used for the ``python -c pass`` baseline (the one colmind runs on)."""
    return colmind_python()


def clean_env(home: Path, *, bytecode: bool = True, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of ``os.environ`` without tool/Python variables, with a private ``HOME``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(_DROPPED_PREFIXES) and k not in _DROPPED_NAMES}
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["HOME"] = str(home)
    env.setdefault("LC_ALL", "C.UTF-8")
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class CMHome:
    """A private home for a CM tool: ``HOME`` and ``CM_REPOS=<HOME>/CM``."""

    home: Path

    @property
    def repos(self) -> Path:
        return self.home / "CM"

    def env(self, *, bytecode: bool = True, extra: dict[str, str] | None = None) -> dict[str, str]:
        more = {"CM_REPOS": str(self.repos)}
        if extra:
            more.update(extra)
        return clean_env(self.home, bytecode=bytecode, extra=more)


def load_paths() -> dict[str, str]:
    """``PATHS.json`` written by ``setup_tools.py`` (empty when setup has not run)."""
    try:
        data = json.loads(PATHS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def have_cmind() -> bool:
    return Path(cmind_cm()).is_file()


def have_mlc() -> bool:
    return Path(mlc_exe()).is_file()
