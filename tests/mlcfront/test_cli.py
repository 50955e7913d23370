"""``mlc`` commands in-process on the MLC fixture repository. Expected texts are what mlcflow 1.3.8
printed for the same commands on the same repository (private HOME, 2026-12-06), paths aside."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

LOG = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [\w.]+ *: *\d+ (INFO |WARN |ERROR|DEBUG)\] - (.*)$")


def logged(stderr: str) -> list[tuple[str, str]]:
    """(level, message) of each mlcflow-style log line."""
    out = []
    for line in stderr.splitlines():
        match = LOG.match(line)
        if match:
            out.append((match.group(1).strip(), match.group(2)))
    return out


def test_version(mlc: Any) -> None:
    res = mlc("--version")
    assert res.code == 0 and res.stdout.startswith("mlcflow 1.3.8 ")


def test_add_and_list_repo(mlc: Any, mlc_repo: Path, cm_home: Path) -> None:
    res = mlc("add", "repo", str(mlc_repo))
    assert res.code == 0
    assert logged(res.stderr) == [("INFO", f"Added new repo path: {mlc_repo}"),
                                  ("INFO", f"Updated repos.json at {cm_home / 'repos.json'}")]
    res = mlc("list", "repo")
    from colmind.store.repos import builtin_repo_path

    assert res.stdout == ("\nRepositories:\n-------------\n"
                          f"- Alias: local\n  Path:  {cm_home / 'repos' / 'local'}\n\n"
                          f"- Alias: internal\n  Path:  {builtin_repo_path()}\n\n"
                          f"- Alias: community-fixtures@mlc\n  Path:  {mlc_repo}\n\n-------------\n")
    assert [m for _, m in logged(res.stderr)] == ["Listing all repositories.", "Repository listing ended"]
    assert mlc("show", "repo").stdout == res.stdout
    again = mlc("add", "repo", str(mlc_repo))
    assert again.code == 1 and again.stderr == f"ERROR:root:Repo already exists at {mlc_repo}\n"


@pytest.mark.parametrize(("argv", "code", "stderr"), [
    (("find", "repo", "nosuch"), 1, "ERROR:root:No repository with alias: 'nosuch' was found\n"),
    (("find", "repo", "0123456789abcdef"), 1, "ERROR:root:No repository with UID: '0123456789abcdef' was found\n"),
    (("find", "repo"), 1, "ERROR:root:Please enter a Repo Alias, Repo UID, or Repo URL in one of the following "
                          "formats:\n- <repo_owner>@<repos_name>\n- <repo_url>\n- <repo_uid>\n- <repo_alias>\n"
                          "- <repo_alias>,<repo_uid>\n"),
    (("add", "repo"), 1, "ERROR:root:The repository to be added is not specified\n"),
    (("cp", "repo", "a", "b"), 1, "ERROR:root:The repo target is not currently supported for mv/cp actions\n"),
    (("run", "repo"), 1, "ERROR:root:Error: 'run' is not supported for repo.\n"),
    (("load", "cfg"), 1, "ERROR:root:Error: 'load' is not supported for cfg.\n"),
    (("find", "script"), 1, "ERROR:root:Tags are not specified for completing the requested action\n"),
    (("rm", "repo", "nosuch", "-f"), 1, "ERROR:root:No repository with alias: 'nosuch' was found\n"),
])
def test_errors_as_mlcflow_prints_them(mlc: Any, registered: Path, argv: tuple[str, ...], code: int,
                                        stderr: str) -> None:
    res = mlc(*argv)
    assert (res.code, res.stderr, res.stdout) == (code, stderr, "")


@pytest.mark.parametrize(("argv", "code"), [((), 1), (("help",), 1), (("list",), 1), (("lst", "repo"), 2), (("foo", "bar"), 2)])
def test_usage_exit_codes(mlc: Any, argv: tuple[str, ...], code: int) -> None:
    res = mlc(*argv)
    assert res.code == code and "Traceback" not in res.stderr
    if argv == ("lst", "repo"):
        assert "Did you mean 'list'?" in res.stderr
        assert "mlc: error: argument command: invalid choice: 'lst'" in res.stderr


def test_find_repo_and_search_repo(mlc: Any, registered: Path) -> None:
    for argv in (("find", "repo", "community-fixtures@mlc"), ("find", "repo", "d1d2c3c4c5c60718"),
                 ("find", "repo", "community-fixtures@mlc,d1d2c3c4c5c60718"), ("find", "repo", "repo-mlc"),
                 ("search", "repo", "community-fixtures@mlc")):  # mlcflow's search repo is always empty
        res = mlc(*argv)
        assert res.code == 0 and logged(res.stderr) == [("INFO", f"Item path: {registered}")], argv


@pytest.mark.parametrize(("argv", "stdout", "messages"), [
    (("find", "script", "mpe-tool"), "", [("INFO", "Item path: {repo}/script/mpe-tool")]),
    (("find", "script", "mpe,mpe-tool", "-p"), "{repo}/script/mpe-tool\n", []),
    (("find", "script", "--tags=mpe,_wget", "-p"), "{repo}/script/mpe-tool\n", []),
    (("find", "script", "d0d0d0d0d0d00010", "-p"), "{repo}/script/mpe-tool\n", []),
    (("find", "script", "community-fixtures@mlc:mpe-tool", "-p"), "{repo}/script/mpe-tool\n", []),  # mlcflow crashes
    (("find", "script", "mpe-tool,d0d0d0d0d0d00010", "-p"), "{repo}/script/mpe-tool\n", []),
    (("search", "script", "--tags=mpe"), "", [("INFO", "Item path: {repo}/script/mpe-tool")]),
    (("find", "script", "mpe,tool", "-p"), "", []),
    (("find", "script", "nosuch-xyz"), "", [
        ("WARN", "No script entry found for the specified input: {{'mlc_run_cmd': 'mlc find script nosuch-xyz', "
                 "'tags': 'nosuch-xyz', 'details': 'nosuch-xyz', 'target_name': 'script'}}!"),
        ("INFO", "Tip: Run 'mlc pull repo' to fetch the latest upstream changes.")]),
])
def test_find_script(mlc: Any, registered: Path, argv: tuple[str, ...], stdout: str,
                     messages: list[tuple[str, str]]) -> None:
    res = mlc(*argv)
    assert res.code == 0
    assert res.stdout == stdout.format(repo=registered)
    assert logged(res.stderr) == [(level, text.format(repo=registered)) for level, text in messages]


def test_show_script(mlc: Any, registered: Path) -> None:
    res = mlc("show", "script", "mpe-tool")
    path = registered / "script" / "mpe-tool"
    assert res.stdout == (f"Location: {path}:\nMain Script Meta:\n    uid: d0d0d0d0d0d00010\n    alias: mpe-tool\n"
                          "    tags: ['mpe', 'mpe-tool']\n    new_env_keys: ['MLC_PE_*']\n    cache: True\n"
                          + "." * 54 + f"\nFor full script meta, see meta file at {path}/meta.yaml\n\n")
    assert logged(res.stderr) == [("INFO", "Showing script with tags: mpe-tool")]


def test_list_script_has_every_script(mlc: Any, registered: Path) -> None:
    out = mlc("list", "script").stdout
    assert out.startswith("." * 54 + "\n")
    assert f"alias: mpe-tool\nLocation: {registered / 'script' / 'mpe-tool'}\n" + "." * 54 in out


def _run_cached(mlc: Any) -> Path:
    res = mlc("run", "script", "mpe-tool,_wget", "-j", "--quiet")
    assert res.code == 0, res.stderr
    assert res.stdout == "tool output for wget (detect)\n"
    assert '"MLC_PE_VERSION": "1.2"' in res.stderr  # -j: the result on stderr, as mlcflow logs it
    found = mlc("find", "cache", "--tags=mpe-tool", "-p")
    return Path(found.stdout.strip())


def test_run_then_cache_views(mlc: Any, registered: Path) -> None:
    entry = _run_cached(mlc)
    assert entry.is_dir()
    uid = entry.name
    listing = mlc("list", "cache").stdout
    assert listing == ("." * 54 + f"\ntags: ['mpe-tool', 'mpe', '_wget', '_detect', 'script-artifact-d0d0d0d0d0d00010']"
                       f"\nLocation: {entry}\n" + "." * 54 + "\n")
    shown = mlc("show", "cache", "--tags=mpe-tool").stdout
    assert shown == (f"Location: {entry}:\nCache Meta:\n    uid: {uid}\n"
                     "    tags: ['mpe-tool', 'mpe', '_wget', '_detect', 'script-artifact-d0d0d0d0d0d00010']\n"
                     "    associated_script_item: mpe-tool, d0d0d0d0d0d00010\nCached State:\n    new_env:\n"
                     '        {\n            "MLC_PE_MODE": "detect",\n            "MLC_PE_NAME": "wget",\n'
                     '            "MLC_PE_PATH": "/opt/pe",\n            "MLC_PE_VERSION": "1.2"\n        }\n'
                     "    new_state: {}\n    version: \n" + "." * 54 + "\n\n")
    # one word is a tag for caches (mlcflow reads it as an alias and finds nothing)
    assert mlc("find", "cache", "mpe-tool", "-p").stdout.strip() == str(entry)
    assert mlc("find", "cache", uid, "-p").stdout.strip() == str(entry)


def test_mlcr_and_cmr_share_the_cache(mlc: Any, registered: Path, cli: Any) -> None:
    entry = _run_cached(mlc)
    res = cli("run", "script", "mpe-tool,_wget", "--quiet", "-j")
    assert res.code == 0
    assert "tool output" not in res.stdout  # cached: the native script did not run again
    assert f"load {entry}" in res.stderr


def test_rm_cache_by_positional_tags(mlc: Any, registered: Path) -> None:
    """``mlc rm cache a,b -f``: mlcflow removes nothing (reads an alias); here the tags select."""
    entry = _run_cached(mlc)
    res = mlc("rm", "cache", "mpe,mpe-tool", "-f")
    assert res.code == 0 and logged(res.stderr) == [("INFO", f"cache item: {entry} has been successfully removed")]
    assert not entry.exists()
    empty = mlc("rm", "cache", "-f")
    assert empty.code == 0
    assert logged(empty.stderr) == [
        ("WARN", "cache is empty! nothing to be cleared!"),
        ("WARN", "1 warning(s) found during the execution of the mlc command."),
        ("WARN", "Warning code: 1006, Description: cache is empty! nothing to be cleared!")]


def test_rm_cache_without_f_at_end_of_input_removes_nothing(mlc: Any, registered: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    entry = _run_cached(mlc)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    res = mlc("rm", "cache", "--tags=mpe-tool")
    assert res.code == 0 and entry.exists() and "Traceback" not in res.stderr
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    assert mlc("rm", "cache", "--tags=mpe-tool").code == 0 and not entry.exists()


@pytest.mark.parametrize("argv", [("run", "script", "mfail-tool", "--quiet", "--k=v"),
                                  ("run", "script", "nosuch-script", "--quiet")])
def test_failed_script_report(mlc: Any, registered: Path, argv: tuple[str, ...]) -> None:
    res = mlc(*argv)
    assert res.code == 1 and "Traceback" not in res.stderr
    lines = logged(res.stderr)
    assert lines[0][0] == "ERROR" and lines[0][1].startswith("Error during 'script' action: ")
    tags = argv[2]
    rerun = f"mlcr {tags}" + (" --k=v" if "--k=v" in argv else "")
    assert ("ERROR", f"Failed script: {tags}") in lines
    assert ("ERROR", f"To rerun just the failed part: {rerun}") in lines
    assert lines[-1][1].startswith("mlcflow 1.3.8 (colmind ")


def test_mlc_output_files(mlc: Any, registered: Path) -> None:
    assert mlc("run", "script", "mpe-tool", "--quiet", "--mlc_output=yes").code == 0
    assert json.loads(Path("tmp-state.json").read_text()) == {}
    assert 'MLC_PE_VERSION="1.2"\n' in Path("tmp-run-env.out").read_text()


def test_help_texts(mlc: Any) -> None:
    assert mlc("-h").code == 0 and "mlc <action> <target>" in mlc("-h").stdout
    assert "mlc pull repo" in mlc("pull", "repo", "-h").stdout
    assert "Target: cache" in mlc("cache", "--help").stdout
    unsupported = mlc("prune", "repo", "-h")
    assert (unsupported.code, unsupported.stdout) == (0, "")
    assert unsupported.stderr == "ERROR:root:Error: 'prune' is not supported for repo.\n"
    bad = mlc("foo", "-h")
    assert bad.code == 1 and "Invalid target foo" in bad.stderr and "Traceback" not in bad.stderr


def test_non_ascii_is_refused(mlc: Any) -> None:
    res = mlc("run", "script", "detect\u2013os")
    assert res.code == 1 and "Non-ASCII characters detected" in res.stdout


def test_reindex(mlc: Any, registered: Path) -> None:
    res = mlc("reindex")
    assert res.code == 0 and logged(res.stderr)[-1] == ("INFO", "All targets reindexed successfully")
    assert logged(mlc("reindex", "cache").stderr)[-1] == ("INFO", "cache target reindexed successfully")


def test_script_add_cp_rm(mlc: Any, registered: Path) -> None:
    res = mlc("add", "script", "community-fixtures@mlc:my-new", "--tags=my,new")
    assert res.code == 0, res.stderr
    assert mlc("find", "script", "my,new", "-p").stdout.strip() == str(registered / "script" / "my-new")
    assert mlc("cp", "script", "my-new", "community-fixtures@mlc:my-copy").code == 0
    assert mlc("find", "script", "my-copy", "-p").stdout.strip() == str(registered / "script" / "my-copy")
    assert mlc("rm", "script", "my-copy", "-f").code == 0
    assert not (registered / "script" / "my-copy").exists()
    assert mlc("rm", "script").stderr == "ERROR:root:Item not given for rm action\n"


def test_rm_repo_inside_repos_folder_deletes_it(mlc: Any, cm_home: Path) -> None:
    assert mlc("add", "repo", "someone@thing").code == 0
    path = cm_home / "repos" / "someone@thing"
    assert path.is_dir()
    assert mlc("rm", "repo", "someone@thing", "-f").code == 0
    assert not path.exists()


def test_rm_repo_outside_only_unregisters(mlc: Any, registered: Path) -> None:
    res = mlc("rm", "repo", "community-fixtures@mlc", "-f")
    assert res.code == 0 and registered.is_dir()
    assert mlc("find", "repo", "community-fixtures@mlc").code == 1


def test_pull_flag_conflict(mlc: Any) -> None:
    res = mlc("pull", "repo", "a@b", "--branch=x", "--tag=y")
    assert res.code == 1
    assert res.stderr == "ERROR:root:Only one among the three flags(branch, checkout and tag) could be specified\n"


def test_pull_local_git_repo(mlc: Any, mlc_repo: Path, tmp_path: Path, cm_home: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=mlc_repo, check=True, env=env)
    res = mlc("pull", "repo", str(mlc_repo))
    assert res.code == 0, res.stderr
    assert mlc("find", "script", "mpe-tool", "-p").stdout.strip().startswith(str(cm_home / "repos"))


def test_expired_cache_entries_are_hidden(mlc: Any, registered: Path, tmp_path: Path) -> None:
    log = tmp_path / "exp.log"
    assert mlc("run", "script", "exp-tool", "--quiet", f"--env.MLC_EXP_LOG={log}").code == 0  # 1h expiration
    assert mlc("find", "cache", "--tags=exp-tool", "-p").stdout.strip()
    assert mlc("run", "script", "exp-tool,_short", "--quiet", f"--env.MLC_EXP_LOG={log}").code == 0  # expires at once
    listed = mlc("list", "cache").stdout
    assert listed.count("Location: ") == 1 and "'_short'" not in listed


def test_mark_tmp(mlc: Any, registered: Path) -> None:
    entry = _run_cached(mlc)
    res = mlc("mark-tmp", "cache", "--tags=mpe-tool")
    assert res.code == 0 and logged(res.stderr) == [("INFO", "Marked 1 cache item(s) as tmp")]
    assert mlc("find", "cache", "--tags=mpe-tool,tmp", "-p").stdout.strip() == str(entry)
    again = mlc("mark-tmp", "cache", "--tags=mpe-tool")
    assert again.code == 0 and "No cache entry to mark as tmp" in again.stderr


@pytest.mark.parametrize(("argv", "first_line"), [
    (("docker", "script", "print,hello-world", "--docker_dry_run"), "# Dockerfile ("),
    (("apptainer", "script", "print,hello-world", "--docker_dry_run"), "# colmind.def (apptainer)"),
])
def test_container_actions_plan_with_the_container_planner(mlc: Any, argv: tuple[str, ...], first_line: str) -> None:
    """``mlcd`` is ``cm docker script``; ``mlca`` the same with apptainer: a dry run prints the plan."""
    res = mlc(*argv)
    assert res.code == 0, res.stderr
    assert res.stdout.startswith(first_line)
    assert "Traceback" not in res.stderr


def test_remote_actions_are_a_clear_error(mlc: Any) -> None:
    res = mlc("remote-run", "script", "print,hello-world")
    assert res.code == 1 and "is not provided by colmind's mlc front-end" in res.stderr
