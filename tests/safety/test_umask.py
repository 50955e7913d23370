"""Files and folders honour the process umask: 0644/0755 under 022, 0664/0775 under 002.

Each umask runs in its own process (the umask is process-wide): metas (JSON and YAML), a cache
entry, a run record, repos.json, the index database, lock files and the repository metas cache."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

SCRIPT = r"""
import os, sys
os.umask(int(sys.argv[1], 8))
from colmind.testing import run_cli
steps = [("import", "repo", "--path=" + sys.argv[2]),
         ("add", "automation", "notes"),
         ("add", "notes", "a", "--tags=x"),
         ("add", "notes", "b", "--yaml"),
         ("update", "notes", "a", "--tags=y"),
         ("cp", "notes", "a", "c"),
         ("run", "script", "--tags=probe,probe-cache", "--quiet"),
         ("init", "repo", "shared"),
         ("reindex", "repo")]
for step in steps:
    r = run_cli(*step)
    assert r.code == 0, (step, r.stdout, r.stderr)
"""


def _modes(root: Path) -> dict[str, int]:
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            st = path.lstat()
            if not stat.S_ISLNK(st.st_mode):
                out[str(path.relative_to(root))] = stat.S_IMODE(st.st_mode)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_every_file_honours_the_umask(tmp_path: Path, mask: int) -> None:
    home, work = tmp_path / "CM", tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "CM_REPOS": str(home), "CM_INDEX_MONITOR": "no"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, oct(mask), str(FIXTURES / "probes" / "repo-cm")],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    modes = {**_modes(home), **{f"work/{k}": v for k, v in _modes(work).items()}}
    wanted = {"repos.json", "index.db", ".locks/repos.json.lock", "repos/local/cmr.yaml",
              "repos/local/notes/a/_cm.json", "repos/local/notes/b/_cm.yaml", "repos/local/notes/c/_cm.json",
              "repos/shared/cmr.yaml", "work/cm-run-record.json"}
    assert wanted <= set(modes), sorted(modes)
    assert any(k.startswith("repos/local/cache/") and k.endswith("_cm.json") for k in modes), sorted(modes)
    assert any(k.startswith(".locks/artifacts/") for k in modes), sorted(modes)
    assert any(k.startswith(".colmind/repo-metas") for k in modes), sorted(modes)
    wrong = {}
    for name, mode in modes.items():
        path = home / name if not name.startswith("work/") else tmp_path / name
        if path.is_dir() or mode & 0o111:  # folders and scripts: 0777 less the umask
            expected = 0o777 & ~mask
        else:
            expected = 0o666 & ~mask
        if mode != expected:
            wrong[name] = oct(mode)
    assert not wrong, json.dumps(wrong, indent=1)
