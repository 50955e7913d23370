"""A fully cached ``cm run script`` stays right and stays light.

In one process, repeated ``access()`` calls share the core's per-request memo of automation keys
and the loaded customize.py: an edited recipe, a new recipe or a removed cache entry between two
calls must be seen by the next call. In a fresh process, a cached run must not import the
modules the run path was freed from (``json``, ``re``, ``copy``, ``hashlib``, ``yaml``...).
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

SRC = str(Path(colmind.__file__).resolve().parent.parent)
REQUEST = {"action": "run", "automation": "script", "tags": "fresh,fresh-top", "quiet": True}
RECIPES = {
    "fresh-top": "tags: [fresh, fresh-top]\nnew_env_keys: ['FRESH_*']\n"
                 "deps:\n- tags: fresh,fresh-dep\n- tags: fresh,fresh-cached\n",
    "fresh-dep": "tags: [fresh, fresh-dep]\nenv:\n  FRESH_DEP: one\nnew_env_keys: [FRESH_DEP]\n",
    "fresh-cached": "tags: [fresh, fresh-cached]\ncache: true\nnew_env_keys: ['FRESH_CACHED*']\n",
}
CUSTOMIZE = ('def postprocess(i):\n    i["env"]["FRESH_TOP"] = "top:" + i["env"].get("FRESH_CACHED", "?")\n'
             '    return {"return": 0}\n')
RUN_SH = '#!/bin/bash\necho "FRESH_CACHED=$RANDOM$RANDOM" > tmp-run-env.out\n'
# What a cached run in a fresh process must not load (the CLI without -j, the index warm).
BUDGET = ("json", "re", "enum", "copy", "hashlib", "_hashlib", "datetime", "fnmatch", "threading",
          "contextlib", "importlib.util", "struct", "yaml", "pathlib", "uuid", "subprocess",
          "requests", "tabulate", "giturlparse")


def _make_repo(root: Path, meta_file: str = "_cm.yaml") -> Path:
    """The recipes in CM format (``_cm.yaml``) or MLC format (``meta.yaml``)."""
    repo = root / "fresh-repo"
    (repo / "script").mkdir(parents=True)
    (repo / "cmr.yaml").write_text("alias: fresh-repo\nuid: 'fe0e0c0a0b0c0d01'\ngit: false\n")
    for n, (alias, meta) in enumerate(RECIPES.items()):
        folder = repo / "script" / alias
        folder.mkdir()
        (folder / meta_file).write_text(f"alias: {alias}\nuid: 'fe0e0c0a0b0c0c1{n}'\nautomation_alias: script\n"
                                        f"automation_uid: 5b4e0237da074764\n{meta}")
    (repo / "script" / "fresh-top" / "customize.py").write_text(CUSTOMIZE)
    run_sh = repo / "script" / "fresh-cached" / "run.sh"
    run_sh.write_text(RUN_SH)
    run_sh.chmod(0o755)
    assert colmind.access(f"import repo --path={repo}")["return"] == 0
    return repo


def _run() -> dict[str, str]:
    r = colmind.access(dict(REQUEST))
    assert r["return"] == 0, r
    return dict(r["new_env"])


def _touch_later(path: Path, text: str) -> None:
    """Rewrite ``path``; its mtime moves on even on a coarse-clock file system."""
    old = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(old + 2_000_000_000, old + 2_000_000_000))


@pytest.fixture(params=["disk", "watch"])
def freshness(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """``disk``: every request syncs the index; ``watch``: the process's own inotify watch (from
    its second request on) lets a request skip the sync when nothing changed (no daemon)."""
    if request.param == "watch":
        if not sys.platform.startswith("linux"):
            pytest.skip("inotify is Linux-only")
        from colmind.store import monitor

        monkeypatch.setenv("CM_INDEX_MONITOR", "auto")
        monkeypatch.setattr(monitor, "AUTO_THRESHOLD", 10**9)  # the process's watch, no daemon
    return str(request.param)


@pytest.mark.slow
def test_repeated_calls_see_edits_between_them(tmp_path: Path, freshness: str) -> None:
    from colmind.core import get_core

    repo = _make_repo(tmp_path)
    first = _run()
    assert first["FRESH_DEP"] == "one" and first["FRESH_TOP"] == "top:" + first["FRESH_CACHED"]
    assert _run() == first  # cached: the same value, run.sh not run again
    assert get_core().watching == (freshness == "watch")

    meta = repo / "script" / "fresh-dep" / "_cm.yaml"
    _touch_later(meta, meta.read_text().replace("FRESH_DEP: one", "FRESH_DEP: two"))
    custom = repo / "script" / "fresh-top" / "customize.py"
    _touch_later(custom, CUSTOMIZE.replace('"top:"', '"TOP:"'))
    second = _run()
    assert second["FRESH_DEP"] == "two" and second["FRESH_TOP"] == "TOP:" + first["FRESH_CACHED"]

    shutil.rmtree(Path(colmind.access("find cache --tags=fresh-cached")["list"][0].path))
    third = _run()  # the entry is gone: rebuilt (run.sh prints a new random value)
    assert third["FRESH_CACHED"] != first["FRESH_CACHED"]

    top = repo / "script" / "fresh-top" / "_cm.yaml"
    _touch_later(top, top.read_text().replace("deps:\n", "deps:\n- tags: fresh,fresh-new\n"))
    new = repo / "script" / "fresh-new"
    new.mkdir()
    (new / "_cm.yaml").write_text("alias: fresh-new\nuid: 'fe0e0c0a0b0c0c19'\nautomation_alias: script\n"
                                  "automation_uid: 5b4e0237da074764\ntags: [fresh, fresh-new]\n"
                                  "env:\n  FRESH_NEW: here\nnew_env_keys: [FRESH_NEW]\n")
    assert _run()["FRESH_NEW"] == "here"  # a recipe added between two calls is found


def test_an_mlc_recipe_beside_an_identity_only_cm_json_runs_from_its_meta_yaml(tmp_path: Path) -> None:
    """CM's index reads only ``_cm.*`` when present; the engine then takes the recipe from the MLC
    meta beside it (the index row holds only the identity)."""
    repo = _make_repo(tmp_path, "meta.yaml")
    folder = repo / "script" / "fresh-dep"
    (folder / "_cm.json").write_text('{"alias": "fresh-dep", "uid": "fe0e0c0a0b0c0c11", "automation_alias": "script", '
                                     '"automation_uid": "5b4e0237da074764", "tags": ["fresh", "fresh-dep"]}')
    assert colmind.access("find script fresh-dep")["list"][0].meta.get("env") is None  # identity only
    assert _run()["FRESH_DEP"] == "one"


def _age(root: Path) -> None:
    """Files older than any "modified too recently to trust" window of the index."""
    old = time.time() - 60
    for folder, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), (old, old))


@pytest.mark.slow
@pytest.mark.parametrize("meta_file", ["_cm.yaml", "meta.yaml"])
def test_cached_run_in_a_fresh_process_stays_light(tmp_path: Path, meta_file: str) -> None:
    _make_repo(tmp_path, meta_file)
    code = ("import sys\nfrom colmind.cli.main import main\n"
            "rc = main(['run', 'script', '--tags=fresh,fresh-top', '--quiet'])\n"
            f"print('@@', rc, ','.join(m for m in {BUDGET!r} if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=SRC)
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def run() -> tuple[str, str]:
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.rpartition("@@")[2].strip() + " ", proc.stdout + proc.stderr

    _age(tmp_path)
    first, text = run()
    assert "run.sh from tmp-run.sh" in text  # the first run built the cache entry
    _age(tmp_path)  # the entry just written, too (the CM home is under tmp_path)
    run()
    last, text = run()
    assert "run.sh" not in text and "cm-cached-state.json" in text  # served from the cache
    rc, loaded = last.split(" ", 1)
    assert rc == "0" and loaded.strip() == "", f"a cached run imported {loaded.strip()}"
