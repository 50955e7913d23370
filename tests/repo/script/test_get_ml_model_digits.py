"""get-ml-model-digits: accuracy, ONNX interface, model-info.json, env, postprocess fallback."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from recipe_fixtures import (  # noqa: F401
    PY,
    assert_valid_meta,
    digits_dir,
    digits_model,
    fake_i,
    load_customize,
    load_module,
    run_native,
)

pytestmark = pytest.mark.ml
train = load_module("get-ml-model-digits", "train_digits_mlp")


def test_meta() -> None:
    meta = assert_valid_meta("get-ml-model-digits", ["get", "ml-model", "digits", "model", "onnx"])
    tags = [d["tags"] for d in meta["deps"]]
    assert {"get,dataset,digits", "get,generic-python-lib,_skl2onnx", "get,generic-python-lib,_onnx"} <= set(tags)


def test_accuracy_and_interface(digits_model: dict[str, Any], digits_dir: Path) -> None:  # noqa: F811
    np = pytest.importorskip("numpy")
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    assert 0.95 <= digits_model["accuracy"] <= 1.0
    assert digits_model["accuracy_measured_with"] == "onnxruntime"
    model = onnx.load(digits_model["file"])
    (inp,) = model.graph.input
    assert inp.name == "input"
    dims = inp.type.tensor_type.shape.dim
    assert len(dims) == 2 and not dims[0].dim_value and dims[1].dim_value == 64
    assert [o.name for o in model.graph.output] == ["label", "probabilities"]
    sess = ort.InferenceSession(digits_model["file"], providers=["CPUExecutionProvider"])
    val = np.load(digits_dir / "val.npz")
    label, prob = sess.run(None, {"input": val["x"]})
    assert prob.shape == (450, 10) and np.allclose(prob.sum(axis=1), 1.0, atol=1e-4)
    assert round(float((label == val["y"]).mean()), 4) == digits_model["accuracy"]
    info = json.loads((Path(digits_model["file"]).parent / "model-info.json").read_text())
    assert info["sha256"] == digits_model["sha256"]


def test_env_lines(digits_model: dict[str, Any]) -> None:  # noqa: F811
    env = train.env_lines(digits_model)
    assert env["CM_ML_MODEL_FILE_WITH_PATH"] == digits_model["file"]
    assert env["CM_ML_MODEL_INPUT_NAME"] == "input" and env["CM_ML_MODEL_INPUT_SHAPE"] == "-1,64"
    assert float(env["CM_ML_MODEL_ACCURACY"]) == digits_model["accuracy"]
    assert all("=" not in v for v in env.values())  # safe for tmp-run-env.out parsing


def test_postprocess_fallback_to_model_info(digits_model: dict[str, Any], tmp_path: Path,  # noqa: F811
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    entry = Path(digits_model["file"]).parent.parent
    monkeypatch.chdir(entry)
    os.makedirs(entry / "model", exist_ok=True)
    (entry / "model" / "model-info.json").write_text(json.dumps(digits_model))
    i = fake_i("get-ml-model-digits", env={})
    assert load_customize("get-ml-model-digits").postprocess(i) == {"return": 0}
    assert i["env"]["CM_ML_MODEL_FILE_WITH_PATH"] == digits_model["file"]
    monkeypatch.chdir(tmp_path)
    r = load_customize("get-ml-model-digits").postprocess(fake_i("get-ml-model-digits", env={}))
    assert r["return"] == 1 and "was not created" in r["error"]


def test_preprocess_requires_inputs() -> None:
    r = load_customize("get-ml-model-digits").preprocess(fake_i("get-ml-model-digits", env={"CM_PYTHON_BIN_WITH_PATH": PY}))
    assert r["return"] == 1 and "CM_DATASET_DIGITS_TRAIN_PATH" in r["error"]


@pytest.mark.slow
def test_run_sh(digits_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    proc, env = run_native("get-ml-model-digits", {
        "CM_PYTHON_BIN_WITH_PATH": PY, "CM_DATASET_DIGITS_TRAIN_PATH": str(digits_dir / "train.npz"),
        "CM_DATASET_DIGITS_VAL_PATH": str(digits_dir / "val.npz")}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert env["CM_ML_MODEL_FILE_WITH_PATH"] == str(tmp_path / "model" / "digits-mlp.onnx")
    assert 0.95 <= float(env["CM_ML_MODEL_ACCURACY"]) <= 1.0
