"""The ``repo`` automation: init/import/rm/find/show/where, pack/unpack, reindex, pull, broken files."""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import shutil
import subprocess
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from colmind.store.repos import builtin_repo_path
from colmind.testing import api_ok as api
from colmind.testing import cli_ok as ok

LOCAL_UID = "9a3280b14a4285c9"




def registered(cm_home: Path) -> list[str]:
    return json.loads((cm_home / "repos.json").read_text())


def make_repo_dir(root: Path, alias: str, uid: str, artifacts: tuple[str, ...] = ("a1",)) -> Path:
    """A repository folder (not registered) with automation ``myauto`` artifacts."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "cmr.yaml").write_text(f"alias: {alias}\nuid: '{uid}'\ngit: false\n")
    for name in artifacts:
        folder = root / "myauto" / name
        folder.mkdir(parents=True)
        (folder / "_cm.json").write_text(json.dumps({"alias": name, "uid": "", "automation_alias": "myauto",
                                                    "automation_uid": "cccccccccccccccc", "tags": [alias]}))
    return root


@pytest.fixture(autouse=True)
def _myauto(cli: Any) -> None:
    ok(cli, "add", "automation", "myauto,cccccccccccccccc")


def found(automation: str = "myauto", artifact: str = "") -> list[str]:
    r = api({"action": "find", "automation": automation, "artifact": artifact})
    return sorted(a.alias for a in r["list"])


# --- init / add / import ---------------------------------------------------------------------------

def test_init_repo(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    res = ok(cli, "init", "repo", "myrepo", f"--path={tmp_path / 'myrepo'}", "--desc=hello", "--prefix=src")
    assert f"Local path to the CM repository: {tmp_path / 'myrepo'}" in res.stdout
    import yaml

    meta = yaml.safe_load((tmp_path / "myrepo" / "cmr.yaml").read_text())
    assert meta["alias"] == "myrepo" and meta["desc"] == "hello" and meta["git"] is False
    assert meta["prefix"] == "src" and len(meta["uid"]) == 16
    assert (tmp_path / "myrepo" / "src").is_dir()
    assert registered(cm_home) == [str(tmp_path / "myrepo")]
    r = api("add myauto myrepo:x1")
    assert r["path"] == str(tmp_path / "myrepo" / "src" / "myauto" / "x1")  # prefix honoured


def test_add_repo_is_init_and_default_path(cli: Any, cm_home: Path) -> None:
    ok(cli, "add", "repo", "r9")
    assert registered(cm_home) == [str(cm_home / "repos" / "r9")]
    assert (cm_home / "repos" / "r9" / "cmr.yaml").exists()


def test_init_here_uses_lower_cased_folder_name(cli: Any, cm_home: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "MyRepo"
    folder.mkdir()
    monkeypatch.chdir(folder)
    ok(cli, "init", "repo")
    assert "alias: myrepo" in (folder / "cmr.yaml").read_text()


def test_c51_duplicates(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    ok(cli, "init", "repo", "myrepo", f"--path={tmp_path / 'a'}", "--uid=1234567890abcdef")
    before = (cm_home / "repos.json").read_bytes()
    res = cli("init", "repo", "myrepo", f"--path={tmp_path / 'b'}")
    assert (res.code, res.stderr) == (1, '\nCM error: Repository "myrepo" is already registered in CM!\n')
    res = cli("init", "repo", "other", f"--path={tmp_path / 'c'}", "--uid=1234567890abcdef")
    assert (res.code, res.stderr) == (1, '\nCM error: Repository "myrepo" is already registered in CM!\n')
    res = cli("init", "repo", "MYREPO", f"--path={tmp_path / 'd'}")
    assert res.code == 1
    res = cli("init", "repo", "local", f"--path={tmp_path / 'e'}")
    assert res.code == 1 and '"local"' in res.stderr
    assert (cm_home / "repos.json").read_bytes() == before
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_init_on_existing_repo_checks_identity(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    make_repo_dir(tmp_path / "ex", "exrepo", "abababababababab")
    res = cli("init", "repo", "wrong", f"--path={tmp_path / 'ex'}")
    assert res.code == 1 and "alias" in res.stderr
    ok(cli, "init", "repo", f"--path={tmp_path / 'ex'}")
    assert found() == ["a1"]


def test_import_repo(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    make_repo_dir(tmp_path / "imp", "imprepo", "abababababababab", ("i1", "i2"))
    ok(cli, "import", "repo", f"--path={tmp_path / 'imp'}")
    assert registered(cm_home) == [str(tmp_path / "imp")]
    assert found() == ["i1", "i2"]
    res = cli("import", "repo", f"--path={tmp_path}")
    assert res.code == 1 and "cm init repo" in res.stderr


# --- find / show / where / rm -------------------------------------------------------------------------

def test_find_where_show(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    ok(cli, "init", "repo", "myrepo", f"--path={tmp_path / 'myrepo'}", "--uid=1234567890abcdef")
    res = ok(cli, "find", "repo")
    assert res.stdout.splitlines() == [f"local,{LOCAL_UID} = {cm_home / 'repos' / 'local'}",
                                       f"internal,36b263b05174aef9 = {builtin_repo_path()}",
                                       f"myrepo,1234567890abcdef = {tmp_path / 'myrepo'}"]
    assert ok(cli, "ls", "repo", "my*").stdout == f"myrepo,1234567890abcdef = {tmp_path / 'myrepo'}\n"
    assert ok(cli, "find", "repo", "myrepo", "--min").stdout == f"{tmp_path / 'myrepo'}\n"
    assert ok(cli, "where", "repo", "myrepo").stdout == f"{tmp_path / 'myrepo'}\n"
    assert ok(cli, "find", "repo", "1234567890abcdef").stdout.startswith("myrepo,")
    assert ok(cli, "find", "repo", "nothing").stdout == ""
    res = ok(cli, "show", "repo", "myrepo")
    assert res.stdout == ("=" * 55 + f"\nPath:               {tmp_path / 'myrepo'}\n"
                          "  Alias:            myrepo\n  UID:              1234567890abcdef\n"
                          "Git:                False\n")


def test_rm_repo(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    ok(cli, "init", "repo", "r1", f"--path={tmp_path / 'r1'}")
    ok(cli, "init", "repo", "r2", f"--path={tmp_path / 'r2'}")
    ok(cli, "add", "myauto", "r1:x1")
    ok(cli, "add", "myauto", "r2:x2")
    assert found() == ["x1", "x2"]
    ok(cli, "rm", "repo", "r1", "-f")
    assert registered(cm_home) == [str(tmp_path / "r2")]
    assert (tmp_path / "r1" / "myauto" / "x1").exists()  # files kept without --all
    assert found() == ["x2"]
    ok(cli, "rm", "repo", "r2", "--all", "-f")
    assert not (tmp_path / "r2").exists() and registered(cm_home) == [] and found() == []


def test_rm_repo_errors_and_prompt(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    res = cli("rm", "repo")
    assert (res.code, res.stderr) == (1, "\nCM error: repositories are not specified!\n")
    res = cli("rm", "repo", "nosuch")
    assert (res.code, res.stderr) == (1, "\nCM error: Repository not found!\n")
    assert cli("rm", "repo", "local", "-f").code == 1  # the local and built-in repos cannot be removed
    ok(cli, "init", "repo", "r1", f"--path={tmp_path / 'r1'}")
    res = ok(cli, "rm", "repo", "r1")  # no terminal to confirm: skipped
    assert "Skipped" in res.stdout and registered(cm_home) == [str(tmp_path / "r1")]


# --- pack / unpack / reindex ------------------------------------------------------------------------

def test_pack_and_unpack(cli: Any, cm_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_repo_dir(tmp_path / "src", "packed", "abababababababab", ("p1", "p2"))
    (tmp_path / "src" / ".git").mkdir()
    (tmp_path / "src" / ".git" / "config").write_text("x")
    ok(cli, "import", "repo", f"--path={tmp_path / 'src'}")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    ok(cli, "pack", "repo", "packed")
    with zipfile.ZipFile(work / "cm.zip") as zf:
        assert sorted(zf.namelist()) == ["cmr.yaml", "myauto/p1/_cm.json", "myauto/p2/_cm.json"]
    res = cli("unpack", "repo")
    assert (res.code, res.stderr) == (1, "\nCM error: Repository already exists!\n")
    ok(cli, "rm", "repo", "packed", "-f")
    assert found() == []
    ok(cli, "unpack", "repo")
    assert (cm_home / "repos" / "packed" / "cmr.yaml").exists()
    assert found() == ["p1", "p2"]
    assert str(cm_home / "repos" / "packed") in registered(cm_home)


def test_unpack_errors(cli: Any, cm_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = cli("unpack", "repo")
    assert (res.code, res.stderr) == (16, "\nCM error: CM repo pack file not found cm.zip!\n")
    (tmp_path / "cm.zip").write_bytes(b"garbage")
    res = cli("unpack", "repo")
    assert res.code == 1 and "not a valid zip" in res.stderr
    with zipfile.ZipFile(tmp_path / "cm.zip", "w") as zf:
        zf.writestr("cmr.yaml", "alias: ../../escape\nuid: '1234567890abcdef'\n")
    res = cli("unpack", "repo")
    assert res.code == 1 and "folder name" in res.stderr
    assert not (cm_home.parent / "escape").exists()
    assert registered(cm_home) == []


def test_reindex(cli: Any, cm_home: Path) -> None:
    ok(cli, "add", "myauto", "x1")
    res = ok(cli, "reindex", "repo")
    assert "Reindexing" in res.stdout
    r = api("reindex repo")
    assert r["artifacts"] >= 2
    (cm_home / "index.db").unlink()
    assert found() == ["x1"]


# --- pull -------------------------------------------------------------------------------------------------

def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def git_repo(tmp_path: Path) -> dict[str, Any]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    src = make_repo_dir(tmp_path / "gitsrc", "gitrepo", "abababababababab", ("g1",))
    _git(src, "init", "-q", "-b", "main")
    _git(src, "add", "-A")
    _git(src, "commit", "-q", "-m", "one")
    first = _git(src, "rev-parse", "HEAD").strip()
    _git(src, "checkout", "-q", "-b", "dev")
    make_repo_dir(src, "gitrepo", "abababababababab", ("g2",))
    _git(src, "add", "-A")
    _git(src, "commit", "-q", "-m", "two")
    _git(src, "checkout", "-q", "main")
    return {"path": src, "first": first}


@pytest.mark.slow
def test_pull_git_repo(cli: Any, cm_home: Path, git_repo: dict[str, Any]) -> None:
    res = ok(cli, "pull", "repo", str(git_repo["path"]))
    assert "CM alias for this repository: gitrepo" in res.stdout
    dest = cm_home / "repos" / "gitsrc"
    assert (dest / ".git").is_dir() and registered(cm_home) == [str(dest)]
    assert found() == ["g1"]
    ok(cli, "pull", "repo", str(git_repo["path"]))  # existing: git pull
    ok(cli, "pull", "repo")  # every git repo
    ok(cli, "checkout", "repo", "gitrepo", "--branch=dev")
    assert found() == ["g1", "g2"]


@pytest.mark.slow
def test_pull_git_branch_and_checkout(cli: Any, cm_home: Path, git_repo: dict[str, Any]) -> None:
    ok(cli, "pull", "repo", str(git_repo["path"]), "--branch=dev")
    assert found() == ["g1", "g2"]
    ok(cli, "rm", "repo", "gitrepo", "--all", "-f")
    ok(cli, "pull", "repo", str(git_repo["path"]), f"--checkout={git_repo['first']}")
    dest = cm_home / "repos" / "gitsrc"
    assert _git(dest, "rev-parse", "HEAD").strip() == git_repo["first"]
    assert found() == ["g1"]


@pytest.mark.slow
def test_pull_git_failure_leaves_nothing(cli: Any, cm_home: Path, git_repo: dict[str, Any], tmp_path: Path) -> None:
    ok(cli, "find", "repo")
    before = (cm_home / "repos.json").read_bytes()
    res = cli("pull", "repo", str(git_repo["path"]), "--branch=nosuchbranch")
    assert res.code == 1 and "git" in res.stderr and "Traceback" not in res.stderr
    res = cli("pull", "repo", f"file://{tmp_path / 'missing.git'}")
    assert res.code == 1
    assert (cm_home / "repos.json").read_bytes() == before
    assert sorted(os.listdir(cm_home / "repos")) == ["local"]


def test_pull_local_folder(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    src = make_repo_dir(tmp_path / "folder", "folderrepo", "abababababababab", ("f1",))
    ok(cli, "pull", "repo", str(src))
    dest = cm_home / "repos" / "folder"
    assert registered(cm_home) == [str(dest)] and found() == ["f1"]
    assert (src / "cmr.yaml").exists()  # the source is copied, not moved


def test_pull_folder_without_cmr_gets_one(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    src = tmp_path / "plain"
    (src / "stuff").mkdir(parents=True)
    ok(cli, "pull", "repo", str(src), "--desc=d")
    import yaml

    meta = yaml.safe_load((cm_home / "repos" / "plain" / "cmr.yaml").read_text())
    assert meta["alias"] == "plain" and meta["desc"] == "d" and meta["git"] is False


def _archive(tmp_path: Path, kind: str, members: dict[str, str], links: dict[str, str] | None = None,
             top: str = "") -> Path:
    path = tmp_path / f"repo.{kind}"
    if kind == "zip":
        import stat

        with zipfile.ZipFile(path, "w") as zf:
            for name, text in members.items():
                zf.writestr(top + name, text)
            for name, target in (links or {}).items():
                info = zipfile.ZipInfo(top + name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, target)
    else:
        with tarfile.open(path, "w:gz") as tf:
            for name, text in members.items():
                data = text.encode()
                info = tarfile.TarInfo(top + name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            for name, target in (links or {}).items():
                info = tarfile.TarInfo(top + name)
                info.type = tarfile.SYMTYPE
                info.linkname = target
                tf.addfile(info)
    return path


def _repo_members(alias: str = "arcrepo") -> dict[str, str]:
    meta = {"alias": "z1", "uid": "", "automation_alias": "myauto", "automation_uid": "cccccccccccccccc"}
    return {"cmr.yaml": f"alias: {alias}\nuid: '1212121212121212'\n", "myauto/z1/_cm.json": json.dumps(meta)}


@pytest.fixture
def http_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    served = tmp_path / "served"
    served.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
@pytest.mark.parametrize("top", ["", "wrapped/"])
def test_pull_archive_file(cli: Any, cm_home: Path, tmp_path: Path, kind: str, top: str) -> None:
    archive = _archive(tmp_path, kind, _repo_members(), top=top)
    res = ok(cli, "pull", "repo", str(archive))
    assert "CM alias for this repository: arcrepo" in res.stdout
    assert found() == ["z1"]
    assert len(registered(cm_home)) == 1 and (Path(registered(cm_home)[0]) / "cmr.yaml").exists()


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_pull_archive_url(cli: Any, cm_home: Path, tmp_path: Path, http_dir: tuple[Path, str], kind: str) -> None:
    served, base = http_dir
    archive = _archive(tmp_path, kind, _repo_members())
    shutil.move(str(archive), served / archive.name)
    ok(cli, "pull", "repo", f"{base}/{archive.name}")
    assert found() == ["z1"]
    before = (cm_home / "repos.json").read_bytes()
    res = cli("pull", "repo", f"{base}/missing.zip")
    assert res.code == 1 and "cannot download" in res.stderr and "Traceback" not in res.stderr
    assert (cm_home / "repos.json").read_bytes() == before


UNSAFE = [
    ("dotdot", {"../evil.txt": "x"}, {}),
    ("absolute", {"/tmp/colmind-evil-test.txt": "x"}, {}),
    ("link-out", {}, {"myauto/z1/l": "../../../../outside"}),
    ("link-abs", {}, {"l": "/etc"}),
]


@pytest.mark.parametrize(("label", "extra", "links"), UNSAFE)
@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_pull_unsafe_archive_refused(cli: Any, cm_home: Path, tmp_path: Path, kind: str, label: str,
                                     extra: dict[str, str], links: dict[str, str]) -> None:
    ok(cli, "find", "repo")
    before = (cm_home / "repos.json").read_bytes()
    archive = _archive(tmp_path, kind, {**_repo_members(), **extra}, links)
    res = cli("pull", "repo", str(archive))
    assert res.code == 1 and "refusing" in res.stderr and "Traceback" not in res.stderr
    assert (cm_home / "repos.json").read_bytes() == before
    assert sorted(os.listdir(cm_home / "repos")) == ["local"]
    assert not (cm_home / "evil.txt").exists() and not Path("/tmp/colmind-evil-test.txt").exists()
    assert found() == []


def test_pull_duplicate_alias_refused(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    ok(cli, "pull", "repo", str(_archive(tmp_path, "zip", _repo_members())))
    before = (cm_home / "repos.json").read_bytes()
    other = tmp_path / "other"
    other.mkdir()
    second = _archive(other, "tar.gz", _repo_members())
    res = cli("pull", "repo", "again", f"--url={second}")
    assert res.code == 1 and "already registered" in res.stderr
    assert (cm_home / "repos.json").read_bytes() == before


# --- broken files --------------------------------------------------------------------------------------

def test_broken_artifact_meta(cli: Any, cm_home: Path) -> None:
    ok(cli, "add", "myauto", "good")
    ok(cli, "add", "myauto", "bady")
    ok(cli, "add", "myauto", "badj")
    auto = cm_home / "repos" / "local" / "myauto"
    (auto / "bady" / "_cm.yaml").write_text("alias: bady\ntags: [a,\n")
    (auto / "badj" / "_cm.json").write_text('{"alias": "badj",\n "uid": }\n')
    yaml_bytes, json_bytes = (auto / "bady" / "_cm.yaml").read_bytes(), (auto / "badj" / "_cm.json").read_bytes()
    res = cli("load", "myauto", "bady")
    assert res.code == 4 and str(auto / "bady" / "_cm.yaml") in res.stderr and "line 3" in res.stderr
    res = cli("load", "myauto", "badj")
    assert res.code == 4 and str(auto / "badj" / "_cm.json") in res.stderr and "line 2 column" in res.stderr
    res = cli("find", "myauto")
    assert res.code == 0 and res.stdout.splitlines() == [str(auto / "good")]
    assert "bady" in res.stderr and "badj" in res.stderr and "Traceback" not in res.stderr
    assert cli("update", "myauto", "bady", "--meta.x=1").code == 4
    assert (auto / "bady" / "_cm.yaml").read_bytes() == yaml_bytes
    assert (auto / "badj" / "_cm.json").read_bytes() == json_bytes


@pytest.mark.parametrize("index", ["yes", "no"])
def test_a_folder_holding_only_broken_artifacts_still_reports_them(
        cli: Any, cm_home: Path, monkeypatch: pytest.MonkeyPatch, index: str) -> None:
    monkeypatch.setenv("CM_INDEX", index)
    ok(cli, "add", "automation", "lonely")
    folder = cm_home / "repos" / "local" / "lonely" / "only-bad"
    folder.mkdir(parents=True)
    (folder / "_cm.json").write_text("{not json")
    res = cli("find", "lonely")
    assert res.code == 0 and res.stdout == ""
    assert "skipping a broken artifact" in res.stderr and str(folder / "_cm.json") in res.stderr
    res = cli("find", "lonely", "only-bad")
    assert res.code == 4 and str(folder / "_cm.json") in res.stderr


def test_broken_cmr_yaml_is_skipped_with_a_warning(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    ok(cli, "init", "repo", "r1", f"--path={tmp_path / 'r1'}")
    ok(cli, "add", "myauto", "r1:x1")
    (tmp_path / "r1" / "cmr.yaml").write_text("alias: r1\nuid: [\n")
    before = (tmp_path / "r1" / "cmr.yaml").read_bytes()
    repos_before = (cm_home / "repos.json").read_bytes()
    res = ok(cli, "find", "repo")
    assert str(tmp_path / "r1" / "cmr.yaml") in res.stderr and "line 3" in res.stderr
    assert "r1" not in res.stdout
    assert found() == []
    assert (tmp_path / "r1" / "cmr.yaml").read_bytes() == before
    assert (cm_home / "repos.json").read_bytes() == repos_before


def test_broken_local_cmr_yaml_is_an_error(cli: Any, cm_home: Path) -> None:
    ok(cli, "find", "repo")
    local = cm_home / "repos" / "local" / "cmr.yaml"
    local.write_text("alias: [\n")
    res = cli("find", "repo")
    assert res.code == 4 and str(local) in res.stderr
    assert local.read_text() == "alias: [\n"


def test_broken_repos_json(cli: Any, cm_home: Path) -> None:
    ok(cli, "find", "repo")
    repos_json = cm_home / "repos.json"
    repos_json.write_text('[\n  "/x",\n  oops\n]')
    res = cli("find", "repo")
    assert res.code == 4 and str(repos_json) in res.stderr and "line 3 column 3" in res.stderr
    assert repos_json.read_text() == '[\n  "/x",\n  oops\n]'
    repos_json.write_text('{"a": 1}')
    res = cli("find", "repo")
    assert res.code == 4 and "list of repository paths" in res.stderr
    assert repos_json.read_text() == '{"a": 1}'


def test_missing_repo_path_warns_and_repos_json_kept(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    ok(cli, "init", "repo", "r1", f"--path={tmp_path / 'r1'}")
    shutil.rmtree(tmp_path / "r1")
    before = (cm_home / "repos.json").read_bytes()
    res = ok(cli, "find", "repo")
    assert f"repository path {tmp_path / 'r1'} not found" in res.stderr
    assert (cm_home / "repos.json").read_bytes() == before  # never rewritten silently


@pytest.mark.slow
def test_pull_new_branch(cli: Any, cm_home: Path, git_repo: dict[str, Any]) -> None:
    ok(cli, "pull", "repo", str(git_repo["path"]), "--new_branch=feature")
    dest = cm_home / "repos" / "gitsrc"
    assert _git(dest, "rev-parse", "--abbrev-ref", "HEAD").strip() == "feature"


@pytest.mark.slow
def test_pull_branch_and_checkout_together_is_a_tracking_branch_at_the_commit(
        cli: Any, cm_home: Path, git_repo: dict[str, Any]) -> None:
    ok(cli, "pull", "repo", str(git_repo["path"]), "--branch=dev", f"--checkout={git_repo['first']}")
    dest = cm_home / "repos" / "gitsrc"
    assert _git(dest, "rev-parse", "HEAD").strip() == git_repo["first"]
    assert _git(dest, "rev-parse", "--abbrev-ref", "HEAD").strip() == "dev"
    assert _git(dest, "rev-parse", "--abbrev-ref", "dev@{upstream}").strip() == "origin/dev"


@pytest.mark.slow
def test_pull_extra_cmd_git_reaches_git_clone(cli: Any, cm_home: Path, git_repo: dict[str, Any]) -> None:
    ok(cli, "pull", "repo", str(git_repo["path"]), "--extra_cmd_git=--origin upstream")
    assert _git(cm_home / "repos" / "gitsrc", "remote").split() == ["upstream"]


@pytest.mark.parametrize("url, pat, expected", [
    ("https://github.com/o/n.git", "TOKEN", "https://TOKEN@github.com/o/n.git"),
    ("https://user@github.com/o/n", "TOKEN", "https://user:TOKEN@github.com/o/n"),
    ("https://user:old@host/o/n", "TOKEN", "https://user:TOKEN@host/o/n"),
    ("https://github.com/o/n", "", "https://github.com/o/n"),
    ("git@github.com:o/n.git", "TOKEN", "git@github.com:o/n.git"),  # ssh: a token means nothing
    ("/a/local/path", "TOKEN", "/a/local/path"),
])
def test_pat_goes_into_https_urls_only(url: str, pat: str, expected: str) -> None:
    from colmind.store.gitops import with_pat

    assert with_pat(url, pat) == expected


@pytest.mark.slow
def test_a_failed_clone_never_shows_the_token(cli: Any, cm_home: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    res = cli("pull", "repo", "https://127.0.0.1:9/o/n.git", "--pat=SECRET-TOKEN-123")
    assert res.code == 1 and "git clone" in res.stderr
    assert "SECRET-TOKEN-123" not in res.stderr + res.stdout


@pytest.mark.slow
def test_a_clone_with_a_token_does_not_keep_it_in_git_config(cm_home: Path, git_repo: dict[str, Any],
                                                             tmp_path: Path) -> None:
    from colmind.store.gitops import GitOptions, clone

    dest = tmp_path / "clone"
    clone(str(git_repo["path"]), str(dest), GitOptions(pat="SECRET"))  # a path: the token is not inserted
    assert "SECRET" not in (dest / ".git" / "config").read_text()


def _requirements_repo(tmp_path: Path, requirements: str, install: bool = True) -> Path:
    src = make_repo_dir(tmp_path / "reqrepo", "reqrepo", "cdcdcdcdcdcdcdcd")
    with open(src / "cmr.yaml", "a") as f:
        f.write(f"install_python_requirements: {'true' if install else 'false'}\n")
    (src / "requirements.txt").write_text(requirements)
    return src


@pytest.mark.slow
def test_install_python_requirements_runs_pip(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    src = _requirements_repo(tmp_path, "PyYAML\n")  # installed already: pip succeeds offline
    res = ok(cli, "pull", "repo", str(src), "--extra_cmd_pip=--no-index")
    assert "Installing the repository's Python requirements" in res.stdout and "--no-index" in res.stdout


@pytest.mark.slow
def test_install_python_requirements_failure_is_a_clear_error(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    src = _requirements_repo(tmp_path, "no-such-package-colmind-test-xyz==0.0.1\n")
    res = cli("pull", "repo", str(src), "--extra_cmd_pip=--no-index")
    assert res.code == 1 and "requirements.txt failed (pip exit" in res.stderr


def test_requirements_are_not_installed_unless_the_repo_asks(cli: Any, cm_home: Path, tmp_path: Path) -> None:
    src = _requirements_repo(tmp_path, "no-such-package-colmind-test-xyz==0.0.1\n", install=False)
    res = ok(cli, "pull", "repo", str(src))
    assert "Installing" not in res.stdout


@pytest.mark.parametrize("skip", [False, True])
def test_skip_zip_parent_dir_keeps_the_top_folder(cli: Any, cm_home: Path, tmp_path: Path, skip: bool) -> None:
    import zipfile

    archive = tmp_path / "wrapped.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("top/cmr.yaml", "alias: inner\nuid: 'efefefefefefefef'\n")
    ok(cli, "pull", "repo", str(archive), *(["--skip_zip_parent_dir"] if skip else []))
    dest = cm_home / "repos" / "wrapped"
    assert (dest / "top" / "cmr.yaml").is_file() is skip
    assert "alias: " + ("wrapped" if skip else "inner") in (dest / "cmr.yaml").read_text()
