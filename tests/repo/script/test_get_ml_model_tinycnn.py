"""get-ml-model-tinycnn: valid ONNX, deterministic bytes, shapes for _32/_224, inference."""

from __future__ import annotations

from pathlib import Path

import pytest
from recipe_fixtures import PY, assert_valid_meta, fake_i, load_customize, load_module, run_native

pytestmark = pytest.mark.ml
make = load_module("get-ml-model-tinycnn", "make_tinycnn")


def test_meta() -> None:
    meta = assert_valid_meta("get-ml-model-tinycnn", ["get", "ml-model", "tinycnn", "model", "onnx"])
    v = meta["variations"]
    assert v["32"]["default"] is True and v["32"]["group"] == v["224"]["group"] == "resolution"
    assert v["224"]["env"]["CM_ML_MODEL_TINYCNN_RESOLUTION"] == "224"


@pytest.mark.parametrize("res", [32, 224])
def test_build_and_run(tmp_path: Path, res: int) -> None:
    np = pytest.importorskip("numpy")
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    info = make.build(res, 0, str(tmp_path))
    sess = ort.InferenceSession(info["file"], providers=["CPUExecutionProvider"])
    (inp,) = sess.get_inputs()
    assert inp.name == "input" and inp.shape[1:] == [3, res, res] and not isinstance(inp.shape[0], int)
    x = np.random.RandomState(1).rand(3, 3, res, res).astype(np.float32)
    (prob,) = sess.run(None, {"input": x})
    assert prob.shape == (3, 10) and np.allclose(prob.sum(axis=1), 1.0, atol=1e-5)
    env = make.env_lines(info)
    assert env["CM_ML_MODEL_INPUT_SHAPE"] == f"-1,3,{res},{res}" and env["CM_ML_MODEL_IMAGE_HEIGHT"] == str(res)


def test_deterministic(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    a = make.build(32, 0, str(tmp_path / "a"))
    b = make.build(32, 0, str(tmp_path / "b"))
    c = make.build(32, 1, str(tmp_path / "c"))
    assert Path(a["file"]).read_bytes() == Path(b["file"]).read_bytes()
    assert a["sha256"] == b["sha256"] != c["sha256"]


def test_preprocess_validates() -> None:
    custom = load_customize("get-ml-model-tinycnn")
    ok = {"CM_PYTHON_BIN_WITH_PATH": PY, "CM_ML_MODEL_TINYCNN_RESOLUTION": "32", "CM_ML_MODEL_TINYCNN_SEED": "0"}
    assert custom.preprocess(fake_i("get-ml-model-tinycnn", env=dict(ok))) == {"return": 0}
    r = custom.preprocess(fake_i("get-ml-model-tinycnn", env=dict(ok, CM_ML_MODEL_TINYCNN_RESOLUTION="64")))
    assert r["return"] == 1 and "32 or 224" in r["error"]
    r = custom.preprocess(fake_i("get-ml-model-tinycnn", env=dict(ok, CM_ML_MODEL_TINYCNN_SEED="x")))
    assert r["return"] == 1 and "--seed" in r["error"]


@pytest.mark.slow
def test_run_sh(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    proc, env = run_native("get-ml-model-tinycnn", {"CM_PYTHON_BIN_WITH_PATH": PY,
                                                    "CM_ML_MODEL_TINYCNN_RESOLUTION": "224"}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert env["CM_ML_MODEL_FILE_WITH_PATH"] == str(tmp_path / "model" / "tinycnn-224.onnx")
    i = fake_i("get-ml-model-tinycnn", env=dict(env, CM_ML_MODEL_TINYCNN_RESOLUTION="224"))
    assert load_customize("get-ml-model-tinycnn").postprocess(i) == {"return": 0}
