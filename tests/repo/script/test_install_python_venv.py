"""install-python-venv: venv creation/reuse, system site packages (with the parent-venv chain),
names, and the env/state the recipe exports. Creates real venvs (a few seconds each)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from recipe_fixtures import PY, assert_valid_meta, fake_i, load_customize, load_module

tool = load_module("install-python-venv", "venv_tool")


def test_meta() -> None:
    meta = assert_valid_meta("install-python-venv", ["install", "python", "get-python-venv", "python-venv"])
    assert meta["cache"] is True
    assert meta["input_mapping"]["name"] == "CM_NAME"
    assert {"CM_VIRTUAL_ENV_*", "CM_PYTHON_*"} <= set(meta["new_env_keys"])


@pytest.mark.parametrize("name,ok", [("colmind", True), ("mlperf-inf_1.0", True), ("../x", False),
                                     ("a/b", False), ("", False), (".hidden", False)])
def test_valid_name(name: str, ok: bool) -> None:
    assert tool.valid_name(name) is ok


def _imports(python: str, module: str) -> bool:
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


@pytest.mark.slow
def test_create_reuse_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLMIND_VENV_SYSTEM_SITE_PACKAGES", raising=False)
    monkeypatch.delenv("COLMIND_VENV_BASE_PYTHON", raising=False)
    custom = load_customize("install-python-venv")
    i = fake_i("install-python-venv", env={"CM_NAME": "Test-Env", "CM_PYTHON_BIN_WITH_PATH": PY})
    r = custom.preprocess(i)
    assert r["return"] == 0, r.get("error")
    env = i["env"]
    venv = tmp_path / "test-env"
    assert env["CM_VIRTUAL_ENV_PATH"] == str(venv)
    assert env["CM_VIRTUAL_ENV_SCRIPTS_PATH"] == str(venv / "bin")
    assert env["CM_PYTHON_BIN_WITH_PATH"] == str(venv / "bin" / "python3")
    assert env["CM_PYTHON_CACHE_TAGS"] == f"version-{r['version']},virtual,name-test-env"
    assert env["CM_VIRTUAL_ENV_SYSTEM_SITE_PACKAGES"] == "no"
    assert r["add_extra_cache_tags"] == ["name-test-env"]
    assert i["state"]["script_prefix"] == [f'source "{venv / "bin" / "activate"}"']
    out = subprocess.run([env["CM_PYTHON_BIN_WITH_PATH"], "-c", "import sys; print(sys.prefix)"],
                         capture_output=True, text=True)
    assert out.stdout.strip() == str(venv)
    assert not _imports(env["CM_PYTHON_BIN_WITH_PATH"], "yaml")  # isolated: no parent packages
    sentinel = venv / "sentinel.txt"
    sentinel.write_text("kept if the venv is reused")
    i2 = fake_i("install-python-venv", env={"CM_NAME": "test-env", "CM_PYTHON_BIN_WITH_PATH": PY})
    assert custom.preprocess(i2)["return"] == 0
    assert sentinel.is_file()  # reused, not recreated
    assert i2["env"]["CM_PYTHON_BIN_WITH_PATH"] == env["CM_PYTHON_BIN_WITH_PATH"]


@pytest.mark.slow
def test_incomplete_venv_is_recreated(tmp_path: Path) -> None:
    venv = tmp_path / "v"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("half-written by a crash\n")
    made = tool.ensure_venv(PY, str(venv), False)
    assert (venv / tool.COMPLETE_MARKER).is_file()
    assert subprocess.run([made.python, "-c", "pass"]).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="needs the tests to run inside a venv")
def test_system_site_packages_chain_parent_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLMIND_VENV_SYSTEM_SITE_PACKAGES", "yes")
    monkeypatch.setenv("COLMIND_VENV_BASE_PYTHON", PY)
    i = fake_i("install-python-venv", env={"CM_NAME": "ci", "CM_PYTHON_BIN_WITH_PATH": "/nonexistent/python3"})
    r = load_customize("install-python-venv").preprocess(i)
    assert r["return"] == 0, r.get("error")
    assert i["env"]["CM_VIRTUAL_ENV_SYSTEM_SITE_PACKAGES"] == "yes"
    assert _imports(i["env"]["CM_PYTHON_BIN_WITH_PATH"], "yaml")  # from the parent venv via the .pth


def test_bad_name_and_missing_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLMIND_VENV_BASE_PYTHON", raising=False)
    custom = load_customize("install-python-venv")
    r = custom.preprocess(fake_i("install-python-venv", env={"CM_NAME": "../evil", "CM_PYTHON_BIN_WITH_PATH": PY}))
    assert r["return"] == 1 and "not a valid venv name" in r["error"]
    r = custom.preprocess(fake_i("install-python-venv", env={"CM_NAME": "x"}))
    assert r["return"] == 1 and "CM_PYTHON_BIN_WITH_PATH" in r["error"]
    assert os.listdir(tmp_path) == []
