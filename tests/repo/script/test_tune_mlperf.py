"""tune-mlperf-inference: the study on the real harness and LoadGen (digits), and its plan."""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from mlperf_fixtures import HARNESS, SCRIPT_REPO, BuiltModel, shared_digits  # noqa: E402

RECIPE = SCRIPT_REPO / "tune-mlperf-inference"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"tune_test_{name}", RECIPE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env(model: BuiltModel, **extra: str) -> dict[str, str]:
    return {"CM_MLPERF_MODEL": "digits", "CM_MLPERF_LOADGEN_SCENARIO": "Offline",
            "CM_ML_MODEL_FILE_WITH_PATH": str(model.model_path), "CM_MLPERF_DATASET_PATH": str(model.dataset_dir),
            "CM_MLPERF_LOADGEN_HARNESS": str(HARNESS), "CM_PYTHON_BIN_WITH_PATH": sys.executable, **extra}


def test_recipe_meta_and_tags() -> None:
    import yaml

    meta = yaml.safe_load((RECIPE / "_cm.yaml").read_text())
    assert {"tune", "mlperf-inference"} <= set(meta["tags"])
    assert meta["input_mapping"]["budget"] == "CM_MLPERF_TUNE_BUDGET"


def test_plan_space_default_and_command(tmp_path: Path) -> None:
    plan_mod = _load("tune_plan")
    env = _env(BuiltModel("digits", tmp_path / "m.onnx", tmp_path / "d", 0.9, 10), CM_MLPERF_TUNE_BUDGET="5")
    plan = plan_mod.make_plan(env, str(tmp_path))
    plan.calibration = {"latency_bs1_ms": 0.5, "throughput_samples_per_s": 1000.0}
    dims, default = plan_mod.space(plan)
    assert set(dims) == {"threads", "batch_size", "intra_op_threads", "inter_op_threads", "graph_opt"}
    assert default == {"threads": 0, "batch_size": 32, "intra_op_threads": 0, "inter_op_threads": 1,
                       "graph_opt": "all"}  # the harness's own defaults
    command = plan_mod.trial_command(plan, dims)
    assert "--result-json cm-output.json" in command and "{{graph_opt}}" in command
    assert shlex.split(plan_mod.harness_command(plan, default))[:2] == [sys.executable, str(HARNESS)]
    plan.scenario = "Server"
    dims, default = plan_mod.space(plan)
    assert default["target_qps"] in dims["target_qps"] and len(dims["target_qps"]) == 5
    with pytest.raises(plan_mod.TuneError, match="Offline or Server"):
        plan_mod.make_plan({**env, "CM_MLPERF_LOADGEN_SCENARIO": "SingleStream"}, str(tmp_path))
    with pytest.raises(plan_mod.TuneError, match="harness"):
        plan_mod.make_plan({k: v for k, v in env.items() if k != "CM_MLPERF_LOADGEN_HARNESS"}, str(tmp_path))


@pytest.mark.ml
@pytest.mark.slow
def test_tuning_finds_a_configuration_at_least_as_good_as_the_default(
        tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("mlperf_loadgen", reason="needs the ML extras (mlcommons-loadgen)")
    model = shared_digits(tmp_path_factory)
    env = _env(model, CM_MLPERF_TUNE_BUDGET="4", CM_MLPERF_TUNE_SEED="3", CM_MLPERF_TUNE_STRATEGY="random",
               CM_MLPERF_LOADGEN_MIN_DURATION="100", CM_MLPERF_TUNE_TRIAL_TIMEOUT="6")
    r = _load("customize").preprocess({"env": env})
    assert r["return"] == 0, r
    out = capsys.readouterr().out
    best = json.loads(Path(env["CM_MLPERF_TUNE_BEST_JSON"]).read_text())
    assert best["trials"] == 4
    assert best["default"]["validity"] == "VALID"  # the default configuration is always tried first
    assert best["best"]["validity"] == "VALID"
    assert best["best"]["metric_value"] >= best["default"]["metric_value"]
    assert float(env["CM_MLPERF_TUNE_BEST_VALUE"]) == best["best"]["metric_value"]
    assert "Reproduce it with:" in out and best["command"] in out
    assert f"--batch_size={best['best']['dims']['batch_size']}" in best["command"]
    # the printed harness command reproduces a VALID run of the best configuration
    run = shlex.split(best["harness_command"])
    work = tmp_path_factory.mktemp("again")
    proc = subprocess.run(run, cwd=work, capture_output=True, text=True, timeout=60, check=False)
    again = json.loads((work / "cm-output.json").read_text())
    assert proc.returncode == 0, proc.stderr
    assert again["performance"]["validity"] == "VALID"
    assert again["settings"]["batch_size"] == best["best"]["dims"]["batch_size"]
    records = json.loads((Path(env["CM_MLPERF_TUNE_RUN_DIR"]) / "cm-result.json").read_text())
    assert len(records) == 4 and all("colmind_dims.graph_opt" in rec for rec in records)
