"""get-python3: version tables, candidate order, selection with constraints, customize hooks."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import pytest
from recipe_fixtures import PY, assert_valid_meta, fake_i, load_customize, load_module

finder = load_module("get-python3", "python_finder")
THIS = platform.python_version()


def test_meta() -> None:
    meta = assert_valid_meta("get-python3", ["get", "python", "python3", "get-python", "get-python3"])
    assert meta["cache"] is True
    assert "CM_PYTHON_*" in meta["new_env_keys"] and "+PATH" in meta["new_env_keys"]
    assert meta["variations"]["custom-path.#"]["env"] == {"CM_PYTHON_BIN_WITH_PATH": "#"}


@pytest.mark.parametrize("a,b,cmp", [
    ("3.11.7", "3.11.7", 0), ("3.11", "3.11.0", 0), ("3.9", "3.11", -1), ("3.12.0", "3.11.99", 1),
    ("3.13.0rc1", "3.13.0", 0), ("3.10", "3.9.18", 1),
])
def test_compare_versions(a: str, b: str, cmp: int) -> None:
    assert finder.compare_versions(a, b) == cmp


@pytest.mark.parametrize("c,version,ok", [
    ({}, "3.11.7", True),
    ({"version": "3.11"}, "3.11.7", True), ({"version": "3.11"}, "3.1.7", False),
    ({"version": "3.11.7"}, "3.11.7", True), ({"version": "3.11.7"}, "3.11.8", False),
    ({"version_min": "3.9"}, "3.11.7", True), ({"version_min": "3.12"}, "3.11.7", False),
    ({"version_max": "3.11.99"}, "3.11.7", True), ({"version_max": "3.10"}, "3.11.7", False),
    ({"version_min": "3.8", "version_max": "3.12"}, "3.11.7", True),
])
def test_constraints(c: dict[str, str], version: str, ok: bool) -> None:
    assert (finder.Constraints(**c).problem(version) == "") is ok


def _link(d: Path, name: str, target: str) -> None:
    d.mkdir(exist_ok=True)
    os.symlink(target, d / name)


def test_candidates_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _link(a, "python3.10", PY)
    _link(a, "python3.12", PY)
    _link(a, "python3", PY)
    _link(a, "python3-config", PY)  # not a python
    _link(b, "python3", PY)
    found = finder.candidates(str(b), str(a) + os.pathsep + str(b))
    assert found == [str(b / "python3"), str(a / "python3"), str(a / "python3.12"), str(a / "python3.10")]


def test_select_skips_broken_and_unfit(tmp_path: Path) -> None:
    broken = tmp_path / "python3.99"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    found, report = finder.select([str(broken), PY], finder.Constraints(version_min="3.0"))
    assert found is not None and found.version == THIS
    assert report[0] == (str(broken), "does not run")
    found, report = finder.select([PY], finder.Constraints(version_min="99"))
    assert found is None and "older than version_min 99" in report[0][1]


def test_preprocess_with_fixed_interpreter() -> None:
    i = fake_i("get-python3", env={"CM_PYTHON_BIN_WITH_PATH": PY, "CM_VERSION_MIN": "3.8"})
    r = load_customize("get-python3").preprocess(i)
    assert r == {"return": 0, "version": THIS}
    env = i["env"]
    major, minor, patch = THIS.split(".")
    assert env["CM_PYTHON_BIN_WITH_PATH"] == os.path.abspath(PY)
    assert env["CM_PYTHON_BIN"] == os.path.basename(PY)
    assert env["CM_PYTHON_BIN_PATH"] == os.path.dirname(os.path.abspath(PY))
    assert (env["CM_PYTHON_MAJOR_VERSION"], env["CM_PYTHON_MINOR_VERSION"], env["CM_PYTHON_PATCH_VERSION"]) == \
        (major, minor, patch)
    in_venv = sys.prefix != sys.base_prefix
    assert env["CM_PYTHON_CACHE_TAGS"] == f"version-{THIS}," + ("virtual" if in_venv else "non-virtual")
    assert env["+PATH"] == [env["CM_PYTHON_BIN_PATH"]]
    post = load_customize("get-python3").postprocess(i)
    assert post["version"] == THIS and post["add_extra_cache_tags"][0] == f"version-{THIS}"


def test_preprocess_not_found_is_error_16(tmp_path: Path) -> None:
    i = fake_i("get-python3", env={"CM_PYTHON_BIN_WITH_PATH": PY, "CM_VERSION_MIN": "99.0"})
    r = load_customize("get-python3").preprocess(i)
    assert r["return"] == 16
    assert "version_min=99.0" in r["error"] and PY in r["error"] and "CM_PYTHON_BIN_WITH_PATH" in r["error"]


def test_preprocess_searches_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _link(tmp_path / "bin", "python3", PY)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    i = fake_i("get-python3", env={})
    assert load_customize("get-python3").preprocess(i)["return"] == 0
    assert i["env"]["CM_PYTHON_BIN_WITH_PATH"] == str(tmp_path / "bin" / "python3")


def test_detect_version() -> None:
    i = fake_i("get-python3", env={"CM_PYTHON_BIN_WITH_PATH": PY})
    assert load_customize("get-python3").detect_version(i) == {"return": 0, "version": THIS}
