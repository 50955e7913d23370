"""The real community collections (cm4mlops, mlc-scripts) run by colmind, compared with what cmind
4.2.0 / mlcflow 1.3.8 returned on this machine (spec 5.1). Skipped unless the benchmark setup
(benchmarks/.venvs/PATHS.json) exists; CI runs the fixture-based tests instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from colmind.testing import run_cli
from tests.automations.community import NEEDS_COLLECTIONS, collection, result_of

pytestmark = NEEDS_COLLECTIONS


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cm4mlops_hello_world_and_conditions(work):
    assert run_cli("import", "repo", f"--path={collection('cm4mlops_repo')}").code == 0
    r = run_cli("run", "script", "--tags=print,hello-world,_text.HELLO_CM,_skip_print_env", "--test1=FROM_INPUT",
                "--env.CM_ENV_TEST2=FROM_CLI_ENV", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert r.stdout.split() == ["HELLO", "WORLD!", "HELLO_CM"]
    new_env = result_of(r)["new_env"]
    assert new_env["CM_ENV_TEST1"] == "FROM_INPUT" and new_env["CM_ENV_TEST2"] == "TEST2"  # meta env beats --env
    r = run_cli("run", "script", "--tags=test,deps,conditions", "--test1", "-j", "--quiet")
    assert r.code == 0, r.stderr
    base = "print,native,hello-world,_skip_print_env"
    assert result_of(r)["deps"] == [base, base + ",_text.SKIP_IF_ALL_ENV", base + ",_text.ENABLE_IF_ANY_ENV"]  # cmind


def test_cm4mlops_detect_os_matches_cmind(work):
    assert run_cli("import", "repo", f"--path={collection('cm4mlops_repo')}").code == 0
    r = run_cli("run", "script", "--tags=detect,os", "-j", "--quiet")
    assert r.code == 0, r.stderr
    out = result_of(r)
    assert out["new_env"]["CM_HOST_OS_TYPE"] == "linux"
    assert "+CM_HOST_OS_DEFAULT_LIBRARY_PATH" in out["new_env"]
    assert set(out["new_state"]) == {"os_uname_machine", "os_uname_all"}


def test_mlc_scripts_detect_os_is_cached_with_expiration(work, cm_home):
    assert run_cli("import", "repo", f"--path={collection('mlc_scripts_repo')}").code == 0
    for _ in range(2):
        r = run_cli("run", "script", "--tags=detect,os", "-j", "--quiet")
        assert r.code == 0, r.stderr
    assert "! load " in r.stderr
    assert result_of(r)["new_env"]["MLC_HOST_OS_TYPE"] == "linux"
    (meta,) = [json.loads(p.read_text()) for p in (cm_home / "repos" / "local" / "cache").glob("*/_cm.json")]
    assert meta["cache_expiration"] > 0


def cache_tags(cm_home: Path) -> list[list[str]]:
    root = cm_home / "repos" / "local" / "cache"
    return sorted(sorted(json.loads(p.read_text())["tags"]) for p in root.glob("*/_cm.json"))


PYTHON3_ENTRY = ["get", "get-python", "get-python3", "non-virtual", "python", "python3",
                 "script-artifact-d0b5dd74373f4a62", "version-3.11.7"]


def test_cm4mlops_get_python3_matches_cmind(work, cm_home):
    """cmind 4.2.0 here: candidates python3, python3.6 ... python3.13 (pyenv shims; only the 3.11 ones
    work) and /usr/bin/python3 once (= /bin/python3 = /usr/bin/python3.11), then the selected one
    again; ``print_env_at_the_end`` goes to the log, not to stdout."""
    assert run_cli("import", "repo", f"--path={collection('cm4mlops_repo')}").code == 0
    r = run_cli("run", "script", "--tags=get,python3", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert [line.strip() for line in r.stdout.splitlines()] == [
        "Detected version: 3.11.7", "Detected version: 3.11.7", "Detected version: 3.11.2",
        "Detected version: 3.11.7"]
    new_env = result_of(r)["new_env"]
    assert sorted(new_env) == ["CM_PYTHON_BIN", "CM_PYTHON_BIN_PATH", "CM_PYTHON_BIN_WITH_PATH",
                               "CM_PYTHON_CACHE_TAGS", "CM_PYTHON_MAJOR_VERSION", "CM_PYTHON_MINOR_VERSION",
                               "CM_PYTHON_PATCH_VERSION", "CM_PYTHON_VERSION"]
    assert new_env["CM_PYTHON_CACHE_TAGS"] == "version-3.11.7,non-virtual"
    assert f"Path to Python: {new_env['CM_PYTHON_BIN_WITH_PATH']}" in r.stderr.splitlines()
    assert "Python version: 3.11.7" in r.stderr.splitlines()
    assert cache_tags(cm_home) == [PYTHON3_ENTRY]
    r = run_cli("run", "script", "--tags=get,python3", "--version=3.11.2", "-j", "--quiet")
    assert r.code == 0, r.stderr  # only /usr/bin/python3 qualifies (cmind: the same entry tags)
    assert result_of(r)["new_env"]["CM_PYTHON_BIN_WITH_PATH"] == "/usr/bin/python3"


def test_cm4mlops_numpy_and_sys_util_entries_match_cmind(work, cm_home):
    assert run_cli("import", "repo", f"--path={collection('cm4mlops_repo')}").code == 0
    r = run_cli("run", "script", "--tags=get,generic-python-lib,_numpy", "-j", "--quiet")
    assert r.code == 0, r.stderr
    out = result_of(r)
    assert out["deps"] == ["detect,os", "detect,cpu", "get,python3", "get,generic-python-lib,_pip"]
    assert sorted(out["new_env"]) == ["CM_NUMPY_VERSION", "CM_PYTHONLIB_NUMPY_CACHE_TAGS",
                                      "CM_PYTHONLIB_PIP_CACHE_TAGS"]
    lib = ["deps-python-non-virtual", "deps-python-version-3.11.7", "generic", "generic-python-lib", "get",
           "install", "pip-package", "script-artifact-94b62a682bc44791"]
    numpy = [t for t in cache_tags(cm_home)[0] if not t.startswith("version-")]
    pip = [t for t in cache_tags(cm_home)[1] if not t.startswith("version-")]
    assert (numpy, pip, cache_tags(cm_home)[2]) == (sorted(["_numpy", *lib]), sorted(["_pip", *lib]), PYTHON3_ENTRY)
    r = run_cli("run", "script", "--tags=get,generic-sys-util,_wget", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert list(result_of(r)["new_env"]) == ["CM_WGET_VERSION"]
    (wget,) = [tags for tags in cache_tags(cm_home) if "_wget" in tags]
    assert [t for t in wget if not t.startswith("version-")] == [  # no default variation _detect (cmind)
        "_wget", "generic", "generic-sys-util", "get", "script-artifact-bb0393afa8404a11", "sys-util"]


def test_mlc_scripts_sys_util_and_gcc_entries_match_mlcflow(work, cm_home):
    """mlcflow 1.3.8 here: entries of MLC recipes carry the expanded variations (``_detect``), and
    detect-os / detect-cpu are cached too; tags ``script-item-<uid>`` are ``script-artifact-`` (E6)."""
    assert run_cli("import", "repo", f"--path={collection('mlc_scripts_repo')}").code == 0
    r = run_cli("run", "script", "--tags=get,generic-sys-util,_wget", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert list(result_of(r)["new_env"]) == ["MLC_WGET_VERSION"]
    os_entry = ["detect", "detect-os", "info", "os", "script-artifact-863735b7db8c44fc"]
    wget, detect_os = cache_tags(cm_home)
    assert [t for t in wget if not t.startswith("version-")] == [
        "_detect", "_wget", "generic", "generic-sys-util", "get", "script-artifact-bb0393afa8404a11", "sys-util"]
    assert detect_os == os_entry
    r = run_cli("run", "script", "--tags=get,gcc", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert result_of(r)["new_env"]["MLC_COMPILER_FAMILY"] == "GCC"
    assert ["cpu", "detect", "detect-cpu", "info", "script-artifact-586c8a43320142f7"] in cache_tags(cm_home)
    (gcc,) = [tags for tags in cache_tags(cm_home) if "get-gcc" in tags]
    assert [t for t in gcc if not t.startswith("version-")] == [
        "c-compiler", "compiler", "cpp-compiler", "gcc", "get", "get-gcc", "script-artifact-dbf4ab5cbed74372"]
