"""``i['automation'].find_artifact`` / ``get_default_path_list`` as CM/MLC define them: only dirs
outside the process PATH are added to ``+PATH`` (so ``new_env`` of get-python3/get-gcc matches)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from colmind.engine.recipe_api import RecipeHelpers


def tool(folder: Path, name: str = "mytool") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def helpers() -> RecipeHelpers:
    return RecipeHelpers()


def test_default_path_list_is_the_process_path(helpers, monkeypatch):
    monkeypatch.setenv("PATH", os.pathsep.join(["/a", "/b"]))
    env = {"+PATH": ["/from/dep"], "PATH": "/env/path"}
    assert helpers.get_default_path_list({"default_path_env_key": "PATH", "env": env}) == ["/a", "/b"]
    assert helpers.get_default_path_list({"env": env}) == []


def test_found_in_default_path_adds_no_plus_path(helpers, tmp_path, monkeypatch):
    exe = tool(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    env: dict = {}
    r = helpers.find_artifact({"file_name": "mytool", "default_path_env_key": "PATH", "env": env,
                               "env_path_key": "MY_TOOL"})
    assert r["return"] == 0 and r["found_file_path"] == str(exe)
    assert env == {"MY_TOOL": str(exe)}


def test_found_elsewhere_prepends_plus_path_and_extra_paths(helpers, tmp_path, monkeypatch):
    exe = tool(tmp_path / "opt" / "bin")
    (tmp_path / "opt" / "lib").mkdir()
    monkeypatch.setenv("PATH", "/usr/bin")
    env: dict = {"CM_TMP_PATH": str(tmp_path / "opt" / "bin"), "+PATH": ["/x"]}
    r = helpers.find_artifact({"file_name": "mytool", "default_path_env_key": "PATH", "env": env,
                               "extra_paths": {"lib": "+LD_LIBRARY_PATH", "include": "+C_INCLUDE_PATH"}})
    assert r["return"] == 0 and r["found_file_path"] == str(exe)
    assert env["+PATH"] == [str(tmp_path / "opt" / "bin"), "/x"]
    assert env["+LD_LIBRARY_PATH"] == [str(tmp_path / "opt" / "lib")]
    assert "+C_INCLUDE_PATH" not in env  # no include dir next to it


@pytest.mark.parametrize(("env_key", "value", "code", "text"), [
    ("CM_TMP_PATH", "/does/not/exist", 1, "path /does/not/exist doesn't exist"),
    ("CM_INPUT", "/no/such/file", 1, "file /no/such/file doesn't exist"),
])
def test_bad_forced_locations(helpers, env_key, value, code, text):
    r = helpers.find_artifact({"file_name": "mytool", "default_path_env_key": "PATH", "env": {env_key: value}})
    assert r["return"] == code and r["error"] == text


def test_forced_input_file_and_not_found(helpers, tmp_path, monkeypatch):
    exe = tool(tmp_path / "elsewhere", "othertool")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    env: dict = {"CM_INPUT": str(exe)}
    r = helpers.find_artifact({"file_name": "mytool", "default_path_env_key": "PATH", "env": env})
    assert r["return"] == 0 and r["found_file_name"] == "othertool"
    r = helpers.find_artifact({"file_name": "mytool", "default_path_env_key": "PATH", "env": {}})
    assert r == {"return": 16, "error": "mytool not found"}


def test_candidates_with_version_suffixes_listed_once_per_file(helpers, tmp_path, monkeypatch):
    """CM/MLC ``find_file_in_paths``: ``name`` + version suffixes; a file reached again through a
    link (``/bin`` = ``/usr/bin``, ``python3`` -> ``python3.11``) is one candidate."""
    from colmind.engine.recipe_api import _candidates

    usr = tmp_path / "usr" / "bin"
    real = tool(usr, "mytool3.11")
    (usr / "mytool3").symlink_to("mytool3.11")
    tool(usr, "mytool3-12")
    tool(usr, "mytool3x")  # not a version suffix
    (tmp_path / "bin").symlink_to(usr)
    found = _candidates([str(usr), str(tmp_path / "bin"), str(tmp_path / "missing")], "mytool3")
    assert found == [str(usr / "mytool3"), str(usr / "mytool3-12")]
    assert os.path.samefile(found[0], real)


def version_recipe(folder: Path) -> Path:
    """A recipe whose ``run.sh`` runs ``$MY_TOOL`` and whose ``detect_version`` parses its output."""
    folder.mkdir()
    (folder / "run.sh").write_text('#!/bin/bash\n"$MY_TOOL" > tmp-ver.out || exit 1\n'
                                   'echo MY_TOOL_SEEN=$MY_TOOL > tmp-run-env.out\n')
    (folder / "customize.py").write_text(
        "def detect_version(i):\n"
        "    r = i['automation'].parse_version({'match_text': r'mytool\\s*([\\d.]+)', 'group_number': 1,\n"
        "                                       'env_key': 'MY_TOOL_VERSION', 'which_env': i['env']})\n"
        "    if r['return'] > 0:\n"
        "        return r\n"
        "    return {'return': 0, 'version': r['version']}\n")
    return folder


def versioned_tool(folder: Path, name: str, version: str | None) -> Path:
    path = tool(folder, name)
    path.write_text("#!/bin/sh\nexit 1\n" if version is None else f"#!/bin/sh\necho mytool {version}\n")
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("constraints", "expected"), [
    ({}, "mytool"),
    ({"CM_VERSION_MIN": "1.5"}, "mytool-2"),
    ({"CM_VERSION_MAX": "1.5"}, "mytool"),
    ({"CM_VERSION": "2.0"}, "mytool-2"),
    ({"CM_VERSION_MIN": "3"}, None),
])
def test_detect_version_keeps_candidates_within_constraints(helpers, tmp_path, monkeypatch, constraints,
                                                            expected):
    """A candidate whose detection fails (return 2) is skipped, one outside ``CM_VERSION*`` too;
    the trials run on a copy of env: only ``env_path_key`` (and ``+PATH``) reach the caller."""
    recipe = version_recipe(tmp_path / "recipe")
    bindir = tmp_path / "bin"
    versioned_tool(bindir, "mytool", "1.0")
    versioned_tool(bindir, "mytool-1", None)  # broken: detection fails
    versioned_tool(bindir, "mytool-2", "2.0")
    monkeypatch.setenv("PATH", os.pathsep.join([str(bindir), "/usr/bin", "/bin"]))
    monkeypatch.chdir(tmp_path)
    env: dict = dict(constraints)
    r = helpers.find_artifact({"file_name": "mytool", "default_path_env_key": "PATH", "env": env,
                               "detect_version": True, "env_path_key": "MY_TOOL",
                               "run_script_input": {"path": str(recipe), "env": env}})
    if expected is None:
        assert r == {"return": 16, "error": "mytool not found"}
        assert env == constraints
        return
    assert r["return"] == 0 and r["found_file_path"] == str(bindir / expected)
    assert env == {**constraints, "MY_TOOL": str(bindir / expected)}
