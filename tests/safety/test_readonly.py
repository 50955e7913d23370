"""The built-in repository (``internal``) is never written by a command: a clear error, nothing changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from colmind.store.readonly import ReadOnlyRepo, check_writable, is_builtin
from colmind.store.repos import builtin_repo_path
from colmind.testing import run_cli


def _tree(root: str) -> dict[str, tuple[int, int]]:
    out = {}
    for folder, _dirs, files in os.walk(root):
        if "__pycache__" in folder:
            continue
        for name in files + [folder]:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            out[path] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def work(cm_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert run_cli("add", "automation", "notes").code == 0
    assert run_cli("add", "notes", "mine").code == 0
    return tmp_path


WRITES = [
    ["add", "notes", "internal:X"],
    ["add", "automation", "internal:newauto"],
    ["add", "script", "internal:newscript"],
    ["update", "automation", "internal:script", "--tags=x"],
    ["update", "script", "internal:detect-os", "--meta.x=1"],
    ["rm", "automation", "internal:script", "-f"],
    ["rm", "script", "internal:detect-os", "-f"],
    ["mv", "automation", "internal:script", "renamed"],
    ["mv", "notes", "mine", "internal:mine"],
    ["cp", "notes", "mine", "internal:copy"],
    ["cp", "script", "internal:detect-os", "internal:detect-os-2"],
]


@pytest.mark.parametrize("argv", WRITES, ids=[" ".join(a) for a in WRITES])
def test_writes_into_the_builtin_repository_are_refused(work: Path, argv: list[str]) -> None:
    before = _tree(builtin_repo_path())
    res = run_cli(*argv)
    assert res.code == 1, res.stderr
    assert "built-in repository (internal)" in res.stderr and "read-only" in res.stderr, res.stderr
    assert _tree(builtin_repo_path()) == before


def test_doc_script_never_rewrites_a_builtin_readme(work: Path) -> None:
    before = _tree(builtin_repo_path())
    res = run_cli("doc", "script", "detect-os")
    assert res.code == 1 and "read-only" in res.stderr, res.stderr
    assert _tree(builtin_repo_path()) == before


def test_copying_out_of_the_builtin_repository_works(work: Path, cm_home: Path) -> None:
    res = run_cli("cp", "script", "internal:detect-os", "local:my-detect-os")
    assert res.code == 0, res.stderr
    assert (cm_home / "repos" / "local" / "script" / "my-detect-os" / "_cm.yaml").exists() or \
        (cm_home / "repos" / "local" / "script" / "my-detect-os" / "_cm.json").exists()
    assert run_cli("doc", "script", "local:my-detect-os").code == 0


def test_the_store_check(tmp_path: Path) -> None:
    root = builtin_repo_path()
    assert is_builtin(root) and is_builtin(os.path.join(root, "script", "x"))
    assert not is_builtin(str(tmp_path))
    with pytest.raises(ReadOnlyRepo):
        check_writable(os.path.join(root, "automation"))
    check_writable(str(tmp_path))
