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
