"""The MLPerf recipes' CM metadata and their customize.py hooks (no ML packages needed)."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

sys.path.insert(0, os.path.dirname(__file__))

from mlperf_fixtures import SCRIPT_REPO  # noqa: E402

RECIPES = {
    "get-mlperf-loadgen": {"get", "loadgen", "mlperf-loadgen", "mlcommons-loadgen"},
    "app-loadgen-generic-python": {"app", "loadgen", "generic", "loadgen-generic-python"},
    "run-mlperf-inference": {"run-mlperf", "inference", "run", "mlperf"},
    "check-mlperf-submission": {"check", "mlperf", "submission", "checker"},
}


def _meta(name: str) -> dict:
    return yaml.safe_load((SCRIPT_REPO / name / "_cm.yaml").read_text())


def _customize(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"customize_{name.replace('-', '_')}",
                                                  SCRIPT_REPO / name / "customize.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_meta(name: str) -> None:
    meta = _meta(name)
    assert meta["alias"] == name
    assert re.fullmatch(r"[0-9a-f]{16}", meta["uid"])
    assert (meta["automation_alias"], meta["automation_uid"]) == ("script", "5b4e0237da074764")
    assert set(meta["tags"]) == RECIPES[name]
    assert all(dep["tags"] for dep in meta.get("deps", []))
    assert (SCRIPT_REPO / name / "run.sh").is_file() and os.access(SCRIPT_REPO / name / "run.sh", os.X_OK)


def test_uids_are_unique_across_the_builtin_repo() -> None:
    uids = [yaml.safe_load(p.read_text()).get("uid") for p in SCRIPT_REPO.glob("*/_cm.yaml")]
    for name in RECIPES:
        assert uids.count(_meta(name)["uid"]) == 1, name


def test_loadgen_recipe_installs_the_official_wheel() -> None:
    deps = [d["tags"] for d in _meta("get-mlperf-loadgen")["deps"]]
    assert "get,generic-python-lib,_package.mlcommons-loadgen" in deps
    assert "CM_MLPERF_LOADGEN_VERSION" in _meta("get-mlperf-loadgen")["new_env_keys"]


@pytest.mark.parametrize(("inp", "env_key"), [
    ("model", "CM_MLPERF_MODEL"), ("scenario", "CM_MLPERF_LOADGEN_SCENARIO"),
    ("mode", "CM_MLPERF_LOADGEN_MODE"), ("execution_mode", "CM_MLPERF_RUN_STYLE"),
    ("device", "CM_MLPERF_DEVICE"), ("quiet", "CM_QUIET"), ("output_dir", "CM_MLPERF_OUTPUT_DIR"),
    ("system_name", "CM_MLPERF_SYSTEM_NAME"), ("threads", "CM_MLPERF_LOADGEN_THREADS"),
    ("batch_size", "CM_MLPERF_LOADGEN_MAX_BATCHSIZE"), ("timeout", "CM_MLPERF_TIMEOUT"),
])
def test_run_mlperf_inputs(inp: str, env_key: str) -> None:
    assert _meta("run-mlperf-inference")["input_mapping"][inp] == env_key


def _digits_env(tmp_path: Path, **extra: str) -> dict:
    return {"CM_MLPERF_MODEL": "digits", "CM_ML_MODEL_FILE_WITH_PATH": str(tmp_path / "m.onnx"),
            "CM_DATASET_DIGITS_PATH": str(tmp_path / "digits"), "CM_ML_MODEL_ACCURACY": "0.9844",
            "CM_MLPERF_LOADGEN_SCENARIO": "all", "CM_MLPERF_LOADGEN_MODE": "all",
            "CM_MLPERF_RUN_STYLE": "test", "CM_MLPERF_DEVICE": "cpu", **extra}


def test_run_mlperf_preprocess_builds_the_program_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = _digits_env(tmp_path, CM_MLPERF_LOADGEN_THREADS="2", CM_QUIET="yes")
    assert _customize("run-mlperf-inference").preprocess({"env": env}) == {"return": 0}
    args = shlex.split(env["CM_MLPERF_RUN_ARGS"])
    pairs = dict(zip(args[::2], args[1::2], strict=False))
    assert pairs["--dataset"] == str(tmp_path / "digits")
    assert pairs["--reference-accuracy"] == "0.9844"
    assert pairs["--threads"] == "2" and "--quiet" in args
    assert pairs["--harness"].endswith("app-loadgen-generic-python/src/harness.py")
    assert env["CM_MLPERF_OUTPUT_DIR"] == str(tmp_path / "mlperf-results")


def test_run_mlperf_preprocess_names_a_missing_dataset(tmp_path: Path) -> None:
    env = _digits_env(tmp_path)
    del env["CM_DATASET_DIGITS_PATH"]
    result = _customize("run-mlperf-inference").preprocess({"env": env})
    assert result["return"] == 1 and "CM_DATASET_DIGITS_PATH" in result["error"]


def test_app_preprocess_maps_settings_to_user_conf_keys(tmp_path: Path) -> None:
    env = {"CM_ML_MODEL_FILE_WITH_PATH": "/m.onnx", "CM_MLPERF_DATASET_PATH": "/d",
           "CM_MLPERF_LOADGEN_SCENARIO": "Server", "CM_MLPERF_LOADGEN_MODE": "performance",
           "CM_MLPERF_LOADGEN_TARGET_QPS": "100", "CM_MLPERF_LOADGEN_FAST_SUT": "no",
           "CM_MLPERF_OUTPUT_DIR": str(tmp_path / "o")}
    assert _customize("app-loadgen-generic-python").preprocess({"env": env}) == {"return": 0}
    args = shlex.split(env["CM_MLPERF_LOADGEN_HARNESS_ARGS"])
    assert "target_qps=100" in args and "--no-fast-sut" in args
    assert env["CM_MLPERF_RESULT_JSON"] == str(tmp_path / "o" / "harness_result.json")


def test_app_harness_only_exports_the_harness_without_inputs() -> None:
    env = {"CM_MLPERF_LOADGEN_HARNESS_ONLY": "yes"}
    assert _customize("app-loadgen-generic-python").preprocess({"env": env}) == {"return": 0}
    assert Path(env["CM_MLPERF_LOADGEN_HARNESS"]).is_file()


def test_checker_preprocess_uses_the_installed_loadgen_seeds(tmp_path: Path) -> None:
    env = {"CM_MLPERF_SUBMISSION_DIR": str(tmp_path), "CM_MLPERF_LOADGEN_SEEDS": "1,2,3",
           "CM_MLPERF_CHECKER_STRICT": "yes"}
    assert _customize("check-mlperf-submission").preprocess({"env": env}) == {"return": 0}
    args = shlex.split(env["CM_MLPERF_CHECKER_ARGS"])
    assert args[args.index("--expected-seeds") + 1] == "1,2,3" and "--strict" in args


@pytest.mark.parametrize("mode, bs1_ms, expected_bound", [
    ("test", 0.05, "50"),      # short runs: a loose bound so a busy machine stays VALID
    ("valid", 0.05, "10"),     # official runs: LoadGen's default bound
    ("test", 5.0, "100"),      # a slow model: 20 x its bs1 latency
    ("valid", 5.0, "100"),
])
def test_server_latency_bound(mode: str, bs1_ms: float, expected_bound: str) -> None:
    from mlperf_fixtures import load_program

    settings = load_program("run-mlperf-inference", "run_settings")
    cal = settings.Calibration(latency_bs1_ms=bs1_ms, latency_bs8_ms=8 * bs1_ms, throughput=1000.0, workers=2)
    keys = settings.hint_keys("Server", cal, mode, settings.Overrides())
    assert keys["target_latency"] == expected_bound
    assert settings.hint_keys("Server", cal, mode, settings.Overrides(target_latency_ms=7.0))["target_latency"] == "7"
