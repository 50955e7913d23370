"""Names cannot escape: the validator, every action that takes a name, odd names already on disk,
and a property test over hostile names for every such action (a sandbox snapshot before/after)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colmind.store.names import BadName, check_artifact_path, check_name, check_relative_path, name_problem
from colmind.testing import run_cli

BAD = ["", ".", "..", "../x", "a/b", "a\\b", "/abs", "C:x", "a\x00b", "a\nb", "a\x1bb", "a\x7f", " a", "a ",
       "x" * 256, "é" * 128]
GOOD = ["a", "my-notes_1.0", "0123456789abcdef", "Ünïcødé-名前", "x" * 255, "é" * 127, "a.b", "..a", "a..", "*"]


@pytest.mark.parametrize("value", BAD)
def test_bad_names_are_refused_naming_the_value(value: str) -> None:
    with pytest.raises(BadName) as err:
        check_name(value, "artifact name")
    assert repr(value)[:60] in err.value.message or len(value) > 60
    assert err.value.return_code == 1


@pytest.mark.parametrize("value", GOOD)
def test_plain_names_pass(value: str) -> None:
    assert check_name(value) == value


def test_cm_names_and_relative_paths() -> None:
    assert name_problem("a:b", extra_forbidden=":,")
    assert check_relative_path("a/b/c") == "a/b/c"
    for bad in ("../a", "a/../../b", "/a", "a/\x00"):
        with pytest.raises(BadName):
            check_relative_path(bad)
    with pytest.raises(BadName):
        check_name(5)  # type: ignore[arg-type]


def test_artifact_paths_stay_in_their_automation_folder(tmp_path: Path) -> None:
    root = str(tmp_path)
    assert check_artifact_path(f"{root}/notes/a", root)
    for bad in (f"{root}/notes", f"{root}/notes/a/b", f"{root}/notes/..", f"{root}/../x/y", "/x/y"):
        with pytest.raises(BadName):
            check_artifact_path(bad, root)


@pytest.fixture
def work(cm_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert run_cli("add", "automation", "notes").code == 0
    assert run_cli("add", "notes", "ok").code == 0
    return work


# the reports, one by one: (argv, words of the error)
REPORTED = [
    (["add", "notes", "../escape"], "'../escape'"),
    (["add", "notes", "local:/abs/x"], "'/abs/x'"),
    (["add", "notes", "../../../../x"], "'../../../../x'"),
    (["add", "notes", ".."], "'..'"),
    (["add", "notes", "ok2,../x"], "'../x'"),
    (["update", "notes", "/abs/u", "--tags=a"], "'/abs/u'"),
    (["mv", "notes", "ok", "/abs/m"], "'/abs/m'"),
    (["cp", "notes", "ok", "../c"], "'../c'"),
    (["cp", "notes", "ok", "local:.."], "'..'"),
    (["init", "repo", "/abs/r"], "--path"),
    (["add", "repo", "a/b"], "--path"),
    (["add", "repo", ".."], "'..'"),
    (["add", "automation", "../auto"], "'../auto'"),
    (["add", "script", "../s"], "'../s'"),
]


@pytest.mark.parametrize(("argv", "words"), REPORTED, ids=[" ".join(a) for a, _ in REPORTED])
def test_reported_escapes_are_clear_errors(work: Path, cm_home: Path, argv: list[str], words: str) -> None:
    before = sorted(str(p) for p in cm_home.parent.rglob("*"))
    res = run_cli(*argv)
    assert res.code == 1, res.stderr
    assert words in res.stderr and "invalid" in res.stderr, res.stderr
    assert sorted(str(p) for p in cm_home.parent.rglob("*")) == before
    assert not Path("/abs").exists() and not Path("/x").exists()


def test_odd_names_already_on_disk_are_still_found(work: Path, cm_home: Path) -> None:
    notes = cm_home / "repos" / "local" / "notes"
    for name in (" spaced ", "x" * 250, "tab\there"):
        (notes / name).mkdir()
        (notes / name / "_cm.json").write_text('{"automation_alias": "notes"}')
    res = run_cli("find", "notes")
    assert res.code == 0
    assert {" spaced ", "x" * 250, "tab\there"} <= {Path(p).name for p in res.stdout.splitlines()}
    assert run_cli("load", "notes", "x" * 250).code == 0
    assert run_cli("rm", "notes", "x" * 250, "-f").code == 0
    assert not (notes / ("x" * 250)).exists()


def test_init_repo_with_path_places_it_where_asked(work: Path, tmp_path: Path) -> None:
    res = run_cli("init", "repo", "mine", f"--path={tmp_path / 'elsewhere'}")
    assert res.code == 0, res.stderr
    assert (tmp_path / "elsewhere" / "cmr.yaml").is_file()


# -- the property: hostile names never change a file outside $CM_REPOS ----------------------------
ACTIONS_WITH_NAMES = [
    ("add", "notes", "{n}"), ("add", "notes", "local:{n}"), ("add", "notes", "{n},0123456789abcdef"),
    ("update", "notes", "{n}", "--tags=t"), ("mv", "notes", "ok", "{n}"), ("cp", "notes", "ok", "{n}"),
    ("cp", "notes", "ok", "local:{n}"), ("rm", "notes", "{n}", "-f"), ("load", "notes", "{n}"),
    ("find", "notes", "{n}"), ("add", "automation", "{n}"), ("add", "script", "{n}"),
    ("init", "repo", "{n}"), ("add", "repo", "{n}"), ("rm", "repo", "{n}", "-f"), ("info", "notes", "{n}"),
    ("add", "{n}", "x"), ("update", "notes", "ok", "--meta.alias={n}"),
]
PIECES = ["..", ".", "/", "\\", "\x00", "\x01", "\n", "~", "*", ":", ",", "outside", "x", "é", "-", " "]
hostile = st.one_of(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join),
    st.sampled_from(["{out}/abs", "../outside/rel", "../../outside/rel", "{out}", "x" * 300]),
    st.text(min_size=1, max_size=20),
)


def _snapshot(root: Path, skip: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d) != skip]
        for name in dirs + files:
            st_ = Path(folder, name).lstat()
            out[str(Path(folder, name))] = (st_.st_size, st_.st_mtime_ns)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile, action=st.sampled_from(ACTIONS_WITH_NAMES))
def test_hostile_names_never_change_a_file_outside_cm_repos(work: Path, cm_home: Path, name: str,
                                                             action: tuple[str, ...]) -> None:
    sandbox = cm_home.parent
    outside = sandbox / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "keep").write_text("keep")
    name = name.replace("{out}", str(outside))
    before = _snapshot(sandbox, cm_home)
    argv = [part.replace("{n}", name) for part in action]
    res = run_cli(*argv)
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, (argv, res.stderr)
    after = _snapshot(sandbox, cm_home)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    # the working folder may gain what a command writes there (`cm init repo` with no name: here)
    assert all(k.startswith(str(work)) for k in changed), (argv, sorted(changed))
