"""One engine, one store: mlcflow's ``$MLC_REPOS/repos.json`` is read, never written."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest


def _mlcflow_registry(mlc_home: Path, *paths: Path) -> Path:
    """A registry as mlcflow writes it: ``repos.json`` inside ``$MLC_REPOS`` with its ``local`` first."""
    local = mlc_home / "local"
    (local / "cache").mkdir(parents=True)
    (local / "meta.yaml").write_text('{"alias": "local", "name": "MLC local repository", "uid": "1234567890abcdef"}')
    registry = mlc_home / "repos.json"
    registry.write_text(json.dumps([str(local), *map(str, paths)], indent=2))
    return registry


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_mlcflow_repos_are_read_not_written(mlc: Any, mlc_home: Path, mlc_repo: Path, cm_home: Path) -> None:
    registry = _mlcflow_registry(mlc_home, mlc_repo)
    before = _snapshot(mlc_home)
    res = mlc("find", "script", "mpe-tool", "-p")
    assert res.stdout.strip() == str(mlc_repo / "script" / "mpe-tool")
    assert "Alias: community-fixtures@mlc" in mlc("list", "repo").stdout
    assert str(mlc_home / "local") not in mlc("list", "repo").stdout  # mlcflow's own local repo is skipped
    refused = mlc("rm", "repo", "community-fixtures@mlc", "-f")
    assert refused.code == 1 and "registered by mlcflow" in refused.stderr and str(registry) in refused.stderr
    assert _snapshot(mlc_home) == before
    assert str(mlc_repo) not in (cm_home / "repos.json").read_text()


def test_cm_reads_mlcflows_registry_only_with_mlc_repos_set(cli: Any, mlc_home: Path, mlc_repo: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from colmind.core import reset_core

    _mlcflow_registry(mlc_home, mlc_repo)
    assert cli("find", "script", "mpe-tool").stdout.strip() == str(mlc_repo / "script" / "mpe-tool")
    monkeypatch.delenv("MLC_REPOS")
    reset_core()
    assert cli("find", "script", "mpe-tool").stdout == ""  # ~/MLC is not read by cm


def test_mlc_reads_the_default_mlc_folder(mlc: Any, mlc_repo: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    _mlcflow_registry(home / "MLC" / "repos", mlc_repo)
    monkeypatch.delenv("MLC_REPOS")
    monkeypatch.setenv("HOME", str(home))
    assert mlc("find", "script", "mpe-tool", "-p").stdout.strip() == str(mlc_repo / "script" / "mpe-tool")


@pytest.mark.parametrize("content", ["not json", '{"a": 1}', "[1, 2]"])
def test_a_broken_mlcflow_registry_is_ignored(mlc: Any, mlc_home: Path, content: str) -> None:
    mlc_home.mkdir(parents=True)
    (mlc_home / "repos.json").write_text(content)
    res = mlc("list", "repo")
    assert res.code == 0 and "Alias: local" in res.stdout
    assert (mlc_home / "repos.json").read_text() == content


def test_a_repo_in_both_registries_is_listed_once(mlc: Any, mlc_home: Path, registered: Path) -> None:
    _mlcflow_registry(mlc_home, registered)
    assert mlc("list", "repo").stdout.count(f"Path:  {registered}\n") == 1
    assert os.path.isdir(registered)


def test_mlcp_without_a_name_leaves_mlcflows_repos_alone(mlc: Any, mlc_home: Path, mlc_repo: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=mlc_repo, check=True, env=env)
    meta = mlc_repo / "meta.yaml"
    meta.write_text(meta.read_text().replace("git: false", "git: true"))
    _mlcflow_registry(mlc_home, mlc_repo)
    before = _snapshot(mlc_repo / ".git")
    res = mlc("pull", "repo")
    assert res.code == 0, res.stderr
    assert f"Skipping {mlc_repo}: registered by mlcflow" in res.stdout
    assert _snapshot(mlc_repo / ".git") == before
