"""The common actions every automation has: add, find, load, update, rm, mv, cp, info, '.', _base."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import colmind
from colmind.testing import api_ok as api
from colmind.testing import cli_ok as ok


@pytest.fixture
def auto(cli: Any, cm_home: Path) -> Path:
    """A custom automation ``myauto`` in the local repo; returns the folder of its artifacts."""
    ok(cli, "add", "automation", "myauto,cccccccccccccccc")
    return cm_home / "repos" / "local" / "myauto"


def names(r: dict[str, Any]) -> list[str]:
    return sorted(a.alias or a.uid for a in r["list"])


def meta_of(path: Path) -> dict[str, Any]:
    return json.loads((path / "_cm.json").read_text())


# --- add -------------------------------------------------------------------------------------

def test_add_writes_cm_json_exactly(cli: Any, auto: Path) -> None:
    res = ok(cli, "add", "myauto", "art1,1111111111111111", "--tags=b,a")
    assert res.stdout == f"Added CM object at {auto / 'art1'}\n"
    text = (auto / "art1" / "_cm.json").read_text()
    assert text == json.dumps({"alias": "art1", "automation_alias": "myauto", "automation_uid": "cccccccccccccccc",
                               "tags": ["b", "a"], "uid": "1111111111111111"}, indent=2, sort_keys=True) + "\n"
    assert not (auto / "art1" / "_cm.yaml").exists()


def test_add_without_alias_uses_the_uid(cli: Any, auto: Path) -> None:
    r = api("add myauto")
    uid = r["meta"]["uid"]
    assert r["meta"]["alias"] == "" and "tags" not in r["meta"]
    assert r["path"] == str(auto / uid)
    r = api("add myauto 2222222222222222")
    assert r["path"] == str(auto / "2222222222222222") and r["meta"]["alias"] == ""


def test_add_yaml(cli: Any, auto: Path) -> None:
    ok(cli, "add", "myauto", "y1", "--yaml", "--tags=t")
    assert not (auto / "y1" / "_cm.json").exists()
    import yaml

    meta = yaml.safe_load((auto / "y1" / "_cm.yaml").read_text())
    assert meta["alias"] == "y1" and meta["tags"] == ["t"] and meta["automation_alias"] == "myauto"
    assert names(api("find myauto --tags=t")) == ["y1"]


def test_add_meta_new_tags_and_literal_minus_tag(cli: Any, auto: Path) -> None:
    ok(cli, "add", "myauto", "m1", "--meta.k=v", "--meta.tags,=x", "--new_tags=y", "--tags=z,-q,x")
    meta = meta_of(auto / "m1")
    assert meta["k"] == "v"
    assert meta["tags"] == ["x", "z", "-q", "y"] or sorted(meta["tags"]) == ["-q", "x", "y", "z"]


def test_add_from_file_meta(cli: Any, auto: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.json").write_text(json.dumps({"meta": {"deps": [{"tags": "x"}]}}))
    ok(cli, "add", "myauto", "f1", "@in.json")
    assert meta_of(auto / "f1")["deps"] == [{"tags": "x"}]


def test_add_existing_is_8(cli: Any, auto: Path) -> None:
    ok(cli, "add", "myauto", "art1")
    res = cli("add", "myauto", "art1")
    assert res.code == 8
    assert res.stderr == f"\nCM error: artifact already exists in the path {auto / 'art1'}!\n"
    (auto / "y2").mkdir()
    (auto / "y2" / "_cm.yaml").write_text("alias: y2\n")
    assert cli("add", "myauto", "y2").code == 8


def test_add_to_another_repo(cli: Any, auto: Path, tmp_path: Path) -> None:
    api({"action": "init", "automation": "repo", "artifact": "r2", "path": str(tmp_path / "r2")})
    r = api("add myauto r2:art9")
    assert r["path"] == str(tmp_path / "r2" / "myauto" / "art9")
    assert cli("add", "myauto", "nosuchrepo:x").code == 16


def test_add_unknown_automation_is_4(cli: Any) -> None:
    res = cli("add", "nosuch", "x")
    assert res.code == 4 and 'automation "nosuch" not found' in res.stderr


# --- find / search / ls / list ---------------------------------------------------------------------

@pytest.fixture
def arts(cli: Any, auto: Path) -> Path:
    ok(cli, "add", "myauto", "art1,1111111111111111", "--tags=a,b")
    ok(cli, "add", "myauto", "art2,2222222222222222", "--tags=a,c")
    ok(cli, "add", "myauto", "other,3333333333333333", "--tags=d")
    return auto


@pytest.mark.parametrize("verb", ["find", "search", "ls", "list"])
def test_find_verbs_print_paths(cli: Any, arts: Path, verb: str) -> None:
    res = ok(cli, verb, "myauto")
    assert res.stdout.splitlines() == [str(arts / n) for n in ("art1", "art2", "other")]


@pytest.mark.parametrize(
    ("artifact", "tags", "expected"),
    [
        ("", "", ["art1", "art2", "other"]),
        ("art*", "", ["art1", "art2"]),
        ("ART?", "", ["art1", "art2"]),
        ("*1", "", ["art1"]),
        ("art1", "", ["art1"]),
        ("ART1", "", ["art1"]),  # aliases are case-insensitive
        ("1111111111111111", "", ["art1"]),
        ("art2,1111111111111111", "", ["art1"]),  # C34: the UID decides
        ("wrong,1111111111111111", "", ["art1"]),
        ("local:art1", "", ["art1"]),
        ("loc*:art*", "", ["art1", "art2"]),
        ("9a3280b14a4285c9:art1", "", ["art1"]),
        ("nosuch:art1", "", []),
        ("", "a", ["art1", "art2"]),
        ("", "a,b", ["art1"]),
        ("", "a,-b", ["art2"]),
        ("", "-a", ["other"]),
        ("", "A", []),
        ("art*", "c", ["art2"]),
        ("nothing", "", []),
        ("4444444444444444", "", []),
    ],
)
def test_find_matrix(arts: Path, artifact: str, tags: str, expected: list[str]) -> None:
    i = {"action": "find", "automation": "myauto", "artifact": artifact, "tags": tags}
    assert names(api(i)) == expected


def test_find_tags_as_list_flag(cli: Any, arts: Path) -> None:
    res = ok(cli, "find", "myauto", "--tags,=a,-c")
    assert res.stdout.splitlines() == [str(arts / "art1")]


def test_find_no_match_is_not_an_error(cli: Any, arts: Path) -> None:
    res = cli("find", "myauto", "nothing")
    assert (res.code, res.stdout, res.stderr) == (0, "", "")


def test_find_by_automation_uid_and_wildcard(cli: Any, arts: Path) -> None:
    assert names(api("find cccccccccccccccc")) == ["art1", "art2", "other"]
    assert names(api("find myauto,cccccccccccccccc art1")) == ["art1"]
    assert names(api("find my* art1")) == ["art1"]  # C33: wildcard automation = every automation
    everything = api({"action": "find", "automation": "*", "artifact": "art1"})
    assert [a.path for a in everything["list"]] == [str(arts / "art1")]
    assert "myauto" in names(api("find automation"))


def test_find_with_repo_qualified_automation(cli: Any, arts: Path) -> None:
    assert names(api("find local:myauto")) == ["art1", "art2", "other"]
    assert colmind.access("find internal:myauto")["return"] == 3


def test_extra_positional_artifacts_are_ignored_by_find(arts: Path) -> None:
    assert names(api("find myauto art1 art2")) == ["art1"]


# --- load --------------------------------------------------------------------------------------------

def test_load(cli: Any, arts: Path) -> None:
    res = ok(cli, "load", "myauto", "art1")
    meta = json.loads(res.stdout)
    assert meta["uid"] == "1111111111111111" and meta["tags"] == ["a", "b"]
    assert res.stdout == json.dumps(meta, indent=2, sort_keys=True) + "\n"
    res = ok(cli, "load", "myauto", "art1", "--yaml")
    import yaml

    assert yaml.safe_load(res.stdout) == meta and res.stdout.endswith("\n\n")


def test_load_errors(cli: Any, arts: Path) -> None:
    res = cli("load", "myauto", "nope")
    assert res.code == 16 and "artifact not found: {" in res.stderr
    res = cli("load", "myauto", "art*")
    assert (res.code, res.stderr) == (1, "\nCM error: more than 1 artifact found!\n")


# --- update ----------------------------------------------------------------------------------------------

def test_update_merges_and_appends_lists(cli: Any, arts: Path) -> None:
    ok(cli, "update", "myauto", "art1", "--meta.lst,=x", "--meta.d.k=1")
    ok(cli, "update", "myauto", "art1", "--meta.lst,=x,y", "--meta.d.j=2", "--meta.s=1", "--tags=b,new,-z")
    meta = meta_of(arts / "art1")
    assert meta["lst"] == ["x", "x", "y"]  # lists appended, duplicates kept (C40)
    assert meta["d"] == {"k": "1", "j": "2"} and meta["s"] == "1"
    assert meta["tags"] == ["a", "b", "new"]  # tags unique, '-z' dropped
    assert meta["uid"] == "1111111111111111"


def test_update_replace_lists(cli: Any, arts: Path) -> None:
    ok(cli, "update", "myauto", "art1", "--meta.lst,=x,y")
    ok(cli, "update", "myauto", "art1", "--meta.lst,=z", "--replace_lists")
    assert meta_of(arts / "art1")["lst"] == ["z"]


def test_update_replace(cli: Any, arts: Path) -> None:
    ok(cli, "update", "myauto", "art1", "--meta.k=v", "--replace")
    meta = meta_of(arts / "art1")
    assert meta == {"alias": "art1", "uid": "1111111111111111", "automation_alias": "myauto",
                    "automation_uid": "cccccccccccccccc", "k": "v"}  # C41: tags dropped


def test_update_tags_do_not_filter_search_tags_do(cli: Any, arts: Path) -> None:
    res = cli("update", "myauto", "--tags=zz")
    assert res.code == 1 and "more than 1 artifact" in res.stderr  # no tty: refused, nothing changed
    assert "zz" not in meta_of(arts / "art1")["tags"]
    ok(cli, "update", "myauto", "--search_tags=a", "--tags=zz", "-f")
    assert "zz" in meta_of(arts / "art1")["tags"] and "zz" in meta_of(arts / "art2")["tags"]
    assert "zz" not in meta_of(arts / "other")["tags"]


def test_update_creates_when_missing(cli: Any, arts: Path) -> None:
    res = ok(cli, "update", "myauto", "fresh", "--meta.k=v", "--tags=t")
    assert res.stdout.startswith(f"Added CM object at {arts / 'fresh'}\n")
    printed = json.loads(res.stdout.split("\n", 1)[1])
    assert printed["k"] == "v" and printed["tags"] == ["t"]
    r = api("update myauto fresh2")
    assert [a.path for a in r["list"]] == [str(arts / "fresh2")]


def test_update_always_writes_cm_json(cli: Any, arts: Path) -> None:
    ok(cli, "add", "myauto", "yy", "--yaml", "--tags=t")
    ok(cli, "update", "myauto", "yy", "--meta.k=v")
    assert (arts / "yy" / "_cm.json").exists()  # C42
    loaded = api("load myauto yy")["meta"]
    assert loaded["k"] == "v" and loaded["tags"] == ["t"] and loaded["alias"] == "yy"


def test_update_prints_updated(cli: Any, arts: Path) -> None:
    res = ok(cli, "update", "myauto", "art1", "--meta.k=v")
    assert res.stdout == f"Updated {arts / 'art1'}\n"


# --- rm ---------------------------------------------------------------------------------------------------

def test_rm_force(cli: Any, arts: Path) -> None:
    res = ok(cli, "rm", "myauto", "art1", "-f")
    assert res.stdout == f'Deleting CM artifact in {arts / "art1"} with tags "a,b" ...\n    Deleted!\n'
    assert not (arts / "art1").exists()
    assert names(api("find myauto")) == ["art2", "other"]


def test_rm_without_tty_keeps_files(cli: Any, arts: Path) -> None:
    res = ok(cli, "rm", "myauto", "art*")
    assert (arts / "art1").exists() and (arts / "art2").exists()
    assert "Skipped" in res.stdout
    r = colmind.access("rm myauto art1")  # non-console, no -f: nothing deleted, with a warning
    assert r["return"] == 0 and r["deleted_list"] == [] and "force" in r["warning"]
    assert (arts / "art1").exists()
    r = api({"action": "rm", "automation": "myauto", "artifact": "art1", "force": True})
    assert [a.alias for a in r["deleted_list"]] == ["art1"] and not (arts / "art1").exists()


def test_rm_by_tags_and_wildcards(cli: Any, arts: Path) -> None:
    ok(cli, "rm", "myauto", "--tags=a,-b", "-f")
    assert names(api("find myauto")) == ["art1", "other"]
    res = cli("rm", "myauto", "nothing", "-f")
    assert (res.code, res.stderr) == (16, "\nCM error: artifact(s) not found!\n")
    assert cli("remove", "myauto", "art1").code == 4  # C48


# --- mv / ren ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("verb", ["mv", "ren", "rename", "move"])
def test_move_renames_folder_and_alias(cli: Any, arts: Path, verb: str) -> None:
    res = ok(cli, verb, "myauto", "art1", "newname")
    assert not (arts / "art1").exists()
    meta = meta_of(arts / "newname")
    assert meta["alias"] == "newname" and meta["uid"] == "1111111111111111"
    assert f'* Moving "{arts / "art1"}" to' in res.stdout
    assert names(api("find myauto newname")) == ["newname"] and names(api("find myauto art1")) == []


def test_move_new_uid_and_to_another_repo(cli: Any, arts: Path, tmp_path: Path) -> None:
    ok(cli, "mv", "myauto", "art1", "art1,5555555555555555")
    assert meta_of(arts / "art1")["uid"] == "5555555555555555"
    assert names(api("find myauto 1111111111111111")) == []
    api({"action": "init", "automation": "repo", "artifact": "r2", "path": str(tmp_path / "r2")})
    ok(cli, "mv", "myauto", "art2", "r2:art2")
    assert (tmp_path / "r2" / "myauto" / "art2" / "_cm.json").exists() and not (arts / "art2").exists()
    assert [a.repo.alias for a in api("find myauto art2")["list"]] == ["r2"]


def test_move_errors(cli: Any, arts: Path) -> None:
    assert (cli("mv", "myauto", "art1").code, cli("mv", "myauto", "art1").stderr) == (
        1, "\nCM error: artifact is not specified!\n")
    res = cli("mv", "myauto", "art1", "x", "y")
    assert (res.code, res.stderr) == (1, "\nCM error: more than 1 artifact specified!\n")
    res = cli("mv", "myauto", "nope", "x")
    assert (res.code, res.stderr) == (16, "\nCM error: artifact not found: {}!\n")
    res = cli("mv", "myauto", "art1", "art2")
    assert res.code == 1 and "target artifact (directory) already exists" in res.stderr
    assert meta_of(arts / "art1")["alias"] == "art1" and meta_of(arts / "art2")["alias"] == "art2"


def test_move_yaml_only_artifact(cli: Any, arts: Path) -> None:
    ok(cli, "add", "myauto", "yy,6666666666666666", "--yaml", "--tags=t")
    ok(cli, "mv", "myauto", "yy", "zz")
    meta = api("load myauto zz")["meta"]
    assert meta["alias"] == "zz" and meta["uid"] == "6666666666666666" and meta["tags"] == ["t"]


# --- cp --------------------------------------------------------------------------------------------------

def test_copy_gets_a_new_uid_and_new_tags(cli: Any, arts: Path) -> None:
    (arts / "art1" / "data.txt").write_text("payload")
    res = ok(cli, "cp", "myauto", "art1", "art1copy", "--new_tags=n1,n2")
    assert f'* Copying "{arts / "art1"}" to' in res.stdout
    meta = meta_of(arts / "art1copy")
    assert meta["alias"] == "art1copy" and meta["uid"] != "1111111111111111" and len(meta["uid"]) == 16
    assert meta["tags"] == ["a", "b", "n1", "n2"]
    assert (arts / "art1copy" / "data.txt").read_text() == "payload"
    assert meta_of(arts / "art1")["uid"] == "1111111111111111"
    assert names(api("find myauto 1111111111111111")) == ["art1"]


def test_copy_honours_a_target_uid(cli: Any, arts: Path) -> None:
    ok(cli, "cp", "myauto", "art1", "c2,7777777777777777")
    assert meta_of(arts / "c2")["uid"] == "7777777777777777"


def test_copy_errors(cli: Any, arts: Path) -> None:
    res = cli("cp", "myauto", "art1", "art1")
    assert res.code == 1 and "onto itself" in res.stderr
    assert meta_of(arts / "art1")["uid"] == "1111111111111111"  # Q05 does not happen
    res = cli("cp", "myauto", "art1", "art2")
    assert res.code == 8 and "already exists" in res.stderr
    res = cli("cp", "myauto", "nope", "x")
    assert (res.code, res.stderr) == (16, "\nCM error: artifact(s) not found: {}!\n")
    assert cli("cp", "myauto", "art1").code == 1


# --- info ------------------------------------------------------------------------------------------------

def test_info(cli: Any, arts: Path) -> None:
    (arts / "art1" / "sub").mkdir()
    res = ok(cli, "info", "myauto", "art1")
    lines = res.stdout.splitlines()
    assert lines[:3] == ["CID = myauto,cccccccccccccccc::art1,1111111111111111",
                         "CID1 = cccccccccccccccc::1111111111111111",
                         "CID2 = (myauto,cccccccccccccccc::art1,1111111111111111)"]
    assert f"Path = {arts / 'art1'}" in lines
    assert "  Directories:" in lines and "    sub" in lines and "  Files:" in lines and "    _cm.json" in lines
    res = ok(cli, "info", "myauto", "art*")
    assert "*" * 52 in res.stdout.splitlines()  # cmind: 52 stars before each artifact
    res = cli("info", "myauto", "nope")
    assert res.code == 16 and "artifact not found for the CM/CMX input:" in res.stderr


# --- '.' (spec 1.5, C59) --------------------------------------------------------------------------------

def test_dot_inside_an_artifact(cli: Any, arts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(arts / "art1")
    res = ok(cli, "find", ".")
    assert res.stdout.splitlines() == [str(arts / "art1")]
    assert json.loads(ok(cli, "load", ".").stdout)["uid"] == "1111111111111111"
    assert json.loads(ok(cli, "load", "myauto", ".").stdout)["uid"] == "1111111111111111"
    (arts / "art1" / "deeper").mkdir()
    monkeypatch.chdir(arts / "art1" / "deeper")
    assert ok(cli, "find", ".").stdout.splitlines() == [str(arts / "art1")]


def test_dot_prefix_names_the_current_repo(cli: Any, arts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(arts)
    assert ok(cli, "find", "myauto", ".:art2").stdout.splitlines() == [str(arts / "art2")]


def test_dot_in_automation_dir_and_repo_root(cli: Any, arts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(arts)
    res = ok(cli, "find", ".")
    assert str(arts / "art1") in res.stdout.splitlines()
    monkeypatch.chdir(arts.parent)
    res = cli("find", ".")
    assert (res.code, res.stderr) == (4, "\nCM error: automation was not specified!\n")


def test_dot_outside_any_repo(cli: Any, arts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "nowhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    res = cli("find", ".")
    assert (res.code, res.stderr) == (4, "\nCM error: automation was not specified!\n")
    res = cli("find", "myauto", ".")  # like CM: no artifact here, so '.' selects everything
    assert res.code == 0 and res.stdout.splitlines() == [str(arts / n) for n in ("art1", "art2", "other")]


# --- _base inheritance (spec 5.12, C50) -------------------------------------------------------------

def test_base_inheritance(cli: Any, auto: Path) -> None:
    ok(cli, "add", "myauto", "base1", "--tags=base", "--meta.lst,=b1", "--meta.k=base", "--meta.only_base=1")
    ok(cli, "add", "myauto", "child", "--tags=child", "--meta.lst,=c1", "--meta.k=child",
       "--meta._base=myauto::base1")
    r = api("load myauto child")
    assert r["meta"]["k"] == "child" and r["meta"]["only_base"] == "1"
    assert r["meta"]["lst"] == ["b1", "c1"] and r["meta"]["tags"] == ["base", "child"]
    assert "_base" not in r["meta"] and r["original_meta"]["_base"] == "myauto::base1"
    assert names(api("find myauto --tags=base")) == ["base1", "child"]  # inherited tags are searchable
    r = api("load myauto child --ignore_inheritance")
    assert r["meta"]["lst"] == ["c1"] and "only_base" not in r["meta"]
    assert names(api("find myauto --tags=base --ignore_inheritance")) == ["base1"]


def test_base_without_automation_and_errors(cli: Any, auto: Path) -> None:
    ok(cli, "add", "myauto", "b0", "--meta.x=1")
    ok(cli, "add", "myauto", "c0", "--meta._base=b0")
    assert api("load myauto c0")["meta"]["x"] == "1"
    ok(cli, "add", "myauto", "c1", "--meta._base=missing")
    res = cli("load", "myauto", "c1")
    assert res.code == 1 and "base artifact missing not found in c1," in res.stderr
    ok(cli, "add", "myauto", "loop1", "--meta._base=loop2")
    ok(cli, "add", "myauto", "loop2", "--meta._base=loop1")
    res = cli("load", "myauto", "loop1")
    assert res.code == 8 and "inheritance recursion is too deep > 10" in res.stderr


# --- automations are artifacts ----------------------------------------------------------------------

CUSTOM_MODULE = '''
from cmind.automation import Automation


class CAutomation(Automation):
    """A CM-style automation."""

    def __init__(self, cmind, automation_file):
        super().__init__(cmind, __file__)

    def mymethod(self, i):
        """Say hello and call back into CM."""
        r = self.cmind.access({"action": "find", "automation": "repo", "artifact": "local"})
        if r["return"] > 0:
            return r
        if i.get("out") == "con":
            print("hello " + i.get("name", "?"))
        return {"return": 0, "repos": len(r["list"]), "echo": i.get("artifact", "")}

    def search(self, i):
        """Overrides the common search."""
        return {"return": 0, "list": [], "overridden": True}
'''


def test_add_automation_then_test(cli: Any, cm_home: Path) -> None:
    res = ok(cli, "add", "automation", "newauto")
    folder = cm_home / "repos" / "local" / "automation" / "newauto"
    assert f"Added CM object at {folder}" in res.stdout and f"Created automation in {folder}" in res.stdout
    meta = meta_of(folder)
    assert meta["tags"] == ["automation"] and meta["automation_uid"] == "bbeb15d8f0a944a4"
    assert (folder / "module.py").exists()
    res = ok(cli, "test", "newauto", "--x=1")
    printed = json.loads(res.stdout)
    assert printed["action"] == "test" and printed["x"] == "1"
    r = api("add newauto a1")
    assert r["path"] == str(cm_home / "repos" / "local" / "newauto" / "a1")
    assert cli("add", "automation", "newauto").code == 8


def test_custom_module_method_is_an_action(cli: Any, cm_home: Path) -> None:
    ok(cli, "add", "automation", "custom")
    (cm_home / "repos" / "local" / "automation" / "custom" / "module.py").write_text(CUSTOM_MODULE)
    res = ok(cli, "mymethod", "custom", "art", "--name=world")
    assert res.stdout == "hello world\n"
    r = api("mymethod custom art")
    assert r["repos"] == 1 and r["echo"] == "art"
    assert api("find custom")["overridden"] is True
    assert api("ls custom")["overridden"] is True
    res = cli("nosuch", "custom")
    assert res.code == 4 and 'action "nosuch" not found in automation "custom,' in res.stderr


def test_common_flag_forces_the_common_automation(cli: Any, cm_home: Path) -> None:
    ok(cli, "add", "automation", "custom,dddddddddddddddd")
    (cm_home / "repos" / "local" / "automation" / "custom" / "module.py").write_text(CUSTOM_MODULE)
    r = api({"action": "find", "automation": "custom,dddddddddddddddd", "common": True})
    assert "overridden" not in r
    res = cli("find", "custom", "--common")
    assert (res.code, res.stderr) == (1, "\nCM error: you must add `,CM UID` for automation custom when using --common!\n")
    res = cli("find", "custom,xyz", "--common")
    assert (res.code, res.stderr) == (1, "\nCM error: you must use CM UID after automation custom,xyz when using "
                                         "--common!\n")


def test_meta_only_automation_uses_common_actions(cli: Any, cm_home: Path) -> None:
    folder = cm_home / "repos" / "local" / "automation" / "plain"
    folder.mkdir(parents=True)
    (folder / "_cm.json").write_text(json.dumps({"alias": "plain", "uid": "eeeeeeeeeeeeeeee",
                                                 "automation_alias": "automation",
                                                 "automation_uid": "bbeb15d8f0a944a4"}))
    ok(cli, "add", "plain", "p1")
    assert names(api("find plain")) == ["p1"]


def test_min_cm_version(cli: Any, cm_home: Path) -> None:
    ok(cli, "add", "automation", "future", "--meta.min_cm_version=99.0")
    res = cli("find", "future")
    assert res.code == 1 and "requires CM version >= 99.0" in res.stderr


def test_paths_are_absolute(arts: Path) -> None:
    for art in api("find myauto")["list"]:
        assert os.path.isabs(art.path)
