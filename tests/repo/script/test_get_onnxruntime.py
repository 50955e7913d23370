"""get-onnxruntime: the probe in the target interpreter, CPU and (absent) CUDA provider."""

from __future__ import annotations

import json
import subprocess

import pytest
from recipe_fixtures import PY, RECIPES, assert_valid_meta, fake_i, load_customize

pytestmark = pytest.mark.ml


def test_meta() -> None:
    meta = assert_valid_meta("get-onnxruntime", ["get", "onnxruntime", "lib-onnxruntime"])
    v = meta["variations"]
    assert v["cpu"]["default"] is True
    assert v["cpu"]["deps"][0]["tags"] == "get,generic-python-lib,_onnxruntime"
    assert v["cuda"]["deps"][-1]["tags"] == "get,generic-python-lib,_onnxruntime_gpu"


@pytest.mark.slow
def test_probe_script() -> None:
    ort = pytest.importorskip("onnxruntime")
    out = subprocess.run([PY, str(RECIPES / "get-onnxruntime" / "ort_probe.py")], capture_output=True, text=True)
    assert out.returncode == 0
    info = json.loads(out.stdout)
    assert info["version"] == ort.__version__ and "CPUExecutionProvider" in info["providers"]


@pytest.mark.slow
def test_preprocess_cpu_and_cuda() -> None:
    ort = pytest.importorskip("onnxruntime")
    custom = load_customize("get-onnxruntime")
    i = fake_i("get-onnxruntime", env={"CM_PYTHON_BIN_WITH_PATH": PY, "CM_ONNXRUNTIME_DEVICE": "cpu"})
    assert custom.preprocess(i) == {"return": 0, "version": ort.__version__}
    assert i["env"]["CM_ONNXRUNTIME_EXECUTION_PROVIDER"] == "CPUExecutionProvider"
    assert "CPUExecutionProvider" in i["env"]["CM_ONNXRUNTIME_PROVIDERS"].split(",")
    assert i["env"]["ORT_DISABLE_TELEMETRY"] == "1"
    i = fake_i("get-onnxruntime", env={"CM_PYTHON_BIN_WITH_PATH": PY, "CM_ONNXRUNTIME_DEVICE": "cuda"})
    r = custom.preprocess(i)
    if "CUDAExecutionProvider" in ort.get_available_providers():
        assert r["return"] == 0
    else:
        assert r["return"] == 1 and "CUDAExecutionProvider is not available" in r["error"]


def test_missing_python() -> None:
    r = load_customize("get-onnxruntime").preprocess(fake_i("get-onnxruntime", env={}))
    assert r["return"] == 1 and "CM_PYTHON_BIN_WITH_PATH" in r["error"]
