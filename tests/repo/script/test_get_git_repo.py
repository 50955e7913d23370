"""get-git-repo with a local repository: default branch, branch, tag, commit, shallow + old
commit, update of an existing checkout, and failures that leave nothing behind."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from recipe_fixtures import assert_valid_meta, fake_i, load_customize, load_module

tool = load_module("get-git-repo", "git_repo")
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def origin(tmp_path: Path) -> dict[str, str]:
    src = tmp_path / "origin"
    src.mkdir()
    git(src, "init", "-q", "-b", "main")
    commits = {}
    for n in (1, 2, 3):
        (src / "f.txt").write_text(str(n))
        git(src, "add", "f.txt")
        git(src, "commit", "-qm", f"c{n}")
        commits[f"c{n}"] = git(src, "rev-parse", "HEAD")
    git(src, "tag", "v1", commits["c1"])
    git(src, "checkout", "-q", "-b", "dev", commits["c2"])
    (src / "dev.txt").write_text("dev")
    git(src, "add", "dev.txt")
    git(src, "commit", "-qm", "dev")
    commits["dev"] = git(src, "rev-parse", "HEAD")
    git(src, "checkout", "-q", "main")
    return dict(commits, path=str(src))


def _get(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[dict[str, object], dict[str, str]]:
    work = tmp_path / "entry"
    work.mkdir(exist_ok=True)
    monkeypatch.chdir(work)
    i = fake_i("get-git-repo", env=dict({"CM_GIT_CHECKOUT_FOLDER": "repo"}, **env))
    return load_customize("get-git-repo").preprocess(i), i["env"]


def test_meta() -> None:
    meta = assert_valid_meta("get-git-repo", ["get", "git", "repo", "repository", "clone"])
    assert meta["cache"] is True
    assert meta["input_mapping"]["checkout"] == "CM_GIT_CHECKOUT"
    assert "CM_GIT_REPO_*" in meta["new_env_keys"]


@pytest.mark.parametrize("value,depth", [("", 0), ("4", 4), ("--depth 4", 4), ("--depth=2", 2), (None, 0)])
def test_parse_depth(value: str | None, depth: int) -> None:
    assert tool.parse_depth(value) == depth


def test_parse_depth_rejects_garbage() -> None:
    with pytest.raises(tool.GitError):
        tool.parse_depth("deep")


@pytest.mark.slow
@pytest.mark.parametrize("env,commit,content", [
    ({}, "c3", "3"),
    ({"CM_GIT_CHECKOUT": "c1"}, "c1", "1"),
    ({"CM_GIT_BRANCH": "dev"}, "dev", "2"),
    ({"CM_GIT_CHECKOUT_TAG": "v1"}, "c1", "1"),
    ({"CM_GIT_DEPTH": "1", "CM_GIT_CHECKOUT": "c1"}, "c1", "1"),
    ({"CM_GIT_SHA": "c2", "CM_GIT_DEPTH": "--depth 1"}, "c2", "2"),
])
def test_clone_variants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, origin: dict[str, str],
                        env: dict[str, str], commit: str, content: str) -> None:
    env = {k: origin[v] if k in ("CM_GIT_CHECKOUT", "CM_GIT_SHA") else v for k, v in env.items()}
    r, out = _get(tmp_path, monkeypatch, CM_GIT_URL=origin["path"], **env)
    assert r == {"return": 0}, r
    repo = Path(out["CM_GIT_REPO_CHECKOUT_PATH"])
    assert repo == tmp_path / "entry" / "repo" and out["CM_GIT_CHECKOUT_PATH"] == str(repo)
    assert out["CM_GIT_REPO_CURRENT_HASH"] == origin[commit] == git(repo, "rev-parse", "HEAD")
    assert (repo / "f.txt").read_text() == content


@pytest.mark.slow
def test_update_existing_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, origin: dict[str, str]) -> None:
    r, out = _get(tmp_path, monkeypatch, CM_GIT_URL=origin["path"], CM_GIT_CHECKOUT=origin["c1"],
                  CM_GIT_CHECKOUT_PATH_ENV_NAME="MY_REPO")
    assert r == {"return": 0} and out["MY_REPO"] == out["CM_GIT_REPO_CHECKOUT_PATH"]
    r, out = _get(tmp_path, monkeypatch, CM_GIT_URL=origin["path"], CM_GIT_BRANCH="dev")
    assert r == {"return": 0} and out["CM_GIT_REPO_CURRENT_HASH"] == origin["dev"]


@pytest.mark.slow
def test_failures_leave_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, origin: dict[str, str]) -> None:
    r, _ = _get(tmp_path, monkeypatch, CM_GIT_URL=str(tmp_path / "no-such-repo"))
    assert r["return"] == 1 and "git clone" in str(r["error"])
    r, _ = _get(tmp_path, monkeypatch, CM_GIT_URL=origin["path"], CM_GIT_CHECKOUT="0" * 40)
    assert r["return"] == 1 and "checkout" in str(r["error"])
    assert os.listdir(tmp_path / "entry") == []
    r, _ = _get(tmp_path, monkeypatch)
    assert r["return"] == 1 and "--url" in str(r["error"])
    r, _ = _get(tmp_path, monkeypatch, CM_GIT_URL=origin["path"], CM_GIT_CHECKOUT_FOLDER="../x")
    assert r["return"] == 1 and "relative name" in str(r["error"])
