"""Import budget of the read-only query path: ``cm find <automation> <alias>`` / ``--tags=a,b``.

Every ``cm`` command is a new process, so what a query imports is start-up time paid on every
query. After a warm query in a fresh interpreter, none of ``BUDGET`` may be loaded, except what
a bare interpreter already loads and what ``sqlite3`` (the index) needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import colmind
from colmind.core import reset_core

BUDGET = ("pathlib", "json", "re", "enum", "fnmatch", "urllib", "urllib.parse", "ipaddress", "threading",
          "datetime", "copy", "contextlib", "importlib.util", "yaml", "colmind.compat", "colmind.compat_loader")
SRC = str(Path(colmind.__file__).resolve().parent.parent)
MARK = "@@loaded:"

# An automation from a repository, like most CM automations: only the base class is imported.
MODULE = '''from cmind.automation import Automation


class CAutomation(Automation):
    def __init__(self, cmind, automation_file):
        super().__init__(cmind, __file__)
'''

pytestmark = pytest.mark.slow


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def _loaded_after(code: str, *args: str) -> tuple[set[str], str]:
    """Run ``code`` in a fresh interpreter: (BUDGET modules loaded afterwards, its other output)."""
    report = f"import sys; print({MARK!r} + ','.join(m for m in {BUDGET!r} if m in sys.modules))"
    proc = _python(f"{code}\n{report}", *args)
    assert proc.returncode == 0, proc.stderr
    out, _, listed = proc.stdout.rpartition(MARK)
    return {m for m in listed.strip().split(",") if m}, out


def _make_repo(home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Automation ``withmod`` (a ``module.py``), meta-only ``plain``; two artifacts in each.

    The built-in automations are copied (``CM_HOME``): files modified seconds ago (a developer
    editing the checkout) are re-read by design, which would load the YAML/JSON writers.
    """
    from colmind.store.repos import builtin_repo_path

    builtin = home.parent / "cmhome" / "repo"
    shutil.copytree(os.path.join(builtin_repo_path(), "automation"), builtin / "automation")
    shutil.copy(os.path.join(builtin_repo_path(), "cmr.yaml"), builtin / "cmr.yaml")
    monkeypatch.setenv("CM_HOME", str(builtin.parent))
    assert colmind.access("add automation withmod")["return"] == 0
    (home / "repos" / "local" / "automation" / "withmod" / "module.py").write_text(MODULE)
    plain = home / "repos" / "local" / "automation" / "plain"
    plain.mkdir(parents=True)
    (plain / "_cm.json").write_text('{"alias": "plain", "uid": "eeeeeeeeeeeeeeee", "automation_alias": '
                                    '"automation", "automation_uid": "bbeb15d8f0a944a4"}')
    paths = {}
    for auto in ("withmod", "plain"):
        for name, tags in (("a1", "grp1,run"), ("a2", "grp2,run")):
            r = colmind.access(f"add {auto} {name} --tags={tags}")
            assert r["return"] == 0, r
            paths[f"{auto}/{name}"] = Path(r["path"])
    reset_core()
    old = time.time() - 60  # older than any "modified too recently to trust" window of the caches
    for folder, _, files in [*os.walk(home), *os.walk(builtin)]:
        for name in files:
            os.utime(os.path.join(folder, name), (old, old))
    return paths


QUERIES = [
    (["find", "withmod", "a2"], ["withmod/a2"]),
    (["find", "withmod", "--tags=grp1,run"], ["withmod/a1"]),
    (["find", "plain", "a1"], ["plain/a1"]),
    (["find", "plain", "--tags=run,-grp1"], ["plain/a2"]),
    (["find", "cache", "--tags=get,python3"], []),  # a built-in automation with its own class
]


@pytest.mark.parametrize(("argv", "expected"), QUERIES, ids=[" ".join(q[0]) for q in QUERIES])
def test_warm_query_stays_within_the_import_budget(cm_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                  argv: list[str], expected: list[str]) -> None:
    paths = _make_repo(cm_home, monkeypatch)
    query = "import sys\nfrom colmind.cli.main import main\nassert main(sys.argv[1:]) == 0"
    _loaded_after(query, *argv)  # warm-up: fills the repository-meta cache, syncs the index
    loaded, out = _loaded_after(query, *argv)
    assert out.split() == [str(paths[e]) for e in expected]
    allowed, _ = _loaded_after("import _sqlite3")  # a bare interpreter + the SQLite C module
    assert loaded - allowed == set()


def test_wildcard_names_still_match(cm_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``fnmatch`` is imported only for names with wildcards, and then it works."""
    paths = _make_repo(cm_home, monkeypatch)
    query = "import sys\nfrom colmind.cli.main import main\nassert main(sys.argv[1:]) == 0"
    loaded, out = _loaded_after(query, "find", "plain", "A?")
    assert out.split() == [str(paths["plain/a1"]), str(paths["plain/a2"])]
    assert "fnmatch" in loaded
