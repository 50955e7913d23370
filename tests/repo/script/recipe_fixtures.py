"""Helpers shared by the built-in recipe tests: load a recipe's customize.py or program module,
build the `i` dict a CM engine passes to customize hooks, run a recipe's run.sh the way the engine
does (sourced from a wrapper, env exported, tmp-run-env.out parsed), and shared ML fixtures.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

RECIPES = Path(__file__).resolve().parents[3] / "src" / "colmind" / "repo" / "script"
PY = sys.executable
SCRIPT_UID = "5b4e0237da074764"


def load_module(recipe: str, name: str) -> ModuleType:
    """Import RECIPES/<recipe>/<name>.py under a unique module name."""
    path = RECIPES / recipe / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"test_recipe_{recipe.replace('-', '_')}_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_customize(recipe: str) -> ModuleType:
    return load_module(recipe, "customize")


def load_meta(recipe: str) -> dict[str, Any]:
    import yaml

    with open(RECIPES / recipe / "_cm.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def fake_i(recipe: str, env: dict[str, Any] | None = None, state: dict[str, Any] | None = None,
           inp: dict[str, Any] | None = None) -> dict[str, Any]:
    """The dict a CM engine passes to preprocess/postprocess (the keys recipes here use)."""
    return {
        "env": {} if env is None else env,
        "state": {} if state is None else state,
        "meta": load_meta(recipe),
        "input": inp or {},
        "automation": None,
        "os_info": {"platform": "linux"},
        "recursion_spaces": "",
        "run_script_input": {},
        "variation_tags": [],
    }


def assert_valid_meta(recipe: str, tags: list[str]) -> dict[str, Any]:
    meta = load_meta(recipe)
    assert meta["alias"] == recipe
    assert meta["automation_alias"] == "script" and meta["automation_uid"] == SCRIPT_UID
    uid = str(meta["uid"])
    assert len(uid) == 16 and all(c in "0123456789abcdef" for c in uid)
    for tag in tags:
        assert tag in meta["tags"], f"{recipe}: tag {tag!r} missing"
    assert isinstance(meta.get("new_env_keys", []), list)
    for dep in meta.get("deps", []):
        assert isinstance(dep["tags"], str) and dep["tags"]
    assert (RECIPES / recipe / "README.md").is_file()
    return meta


def run_native(recipe: str, env: dict[str, str], cwd: Path, timeout: float = 600) -> tuple[
        subprocess.CompletedProcess[str], dict[str, str]]:
    """Source RECIPES/<recipe>/run.sh in bash with `env` exported, in `cwd` (like tmp-run.sh)."""
    full = dict(os.environ)
    full.update({k: str(v) for k, v in env.items()})
    full["CM_TMP_CURRENT_SCRIPT_PATH"] = str(RECIPES / recipe)
    full["CM_TMP_CURRENT_SCRIPT_WORK_PATH"] = str(cwd)
    run_sh = RECIPES / recipe / "run.sh"
    proc = subprocess.run(["bash", "-c", f'. "{run_sh}"'], cwd=cwd, env=full, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    out: dict[str, str] = {}
    env_out = cwd / "tmp-run-env.out"
    if env_out.is_file():
        for line in env_out.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                out[key] = value
    return proc, out


@pytest.fixture(scope="session")
def digits_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The digits dataset built once per session with the test interpreter."""
    pytest.importorskip("sklearn")
    out = tmp_path_factory.mktemp("digits") / "digits"
    make = load_module("get-dataset-digits", "make_digits")
    make.build(str(out))
    return out


@pytest.fixture(scope="session")
def digits_model(digits_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The digits MLP trained and exported once per session; returns model-info.json's dict."""
    pytest.importorskip("skl2onnx")
    pytest.importorskip("onnxruntime")
    out = tmp_path_factory.mktemp("model")
    train = load_module("get-ml-model-digits", "train_digits_mlp")
    return train.build(str(digits_dir / "train.npz"), str(digits_dir / "val.npz"), str(out))
