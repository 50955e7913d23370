"""Builders and pytest fixtures for the MLPerf recipe tests: a real digits model and a tiny CNN.

File formats (the contract shared with the get-dataset-* / get-ml-model-* recipes):
- dataset folder: ``val.npz`` with ``x`` (float32, already preprocessed for the model, first axis = sample)
  and ``y`` (int64 labels, same length);
- model: one ONNX file; a classification model with either an integer label output [N] or a float
  score output [N, classes] (the harness takes the label output, else the argmax of the scores).

Import this module explicitly (``from mlperf_fixtures import ...`` after putting this folder on
``sys.path``; the tests do that) - it is not a conftest.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

SCRIPT_REPO = Path(__file__).resolve().parents[3] / "src" / "colmind" / "repo" / "script"


@dataclass(frozen=True)
class BuiltModel:
    """A model file, its dataset folder and the accuracy a reference implementation reached."""

    name: str
    model_path: Path
    dataset_dir: Path
    reference_accuracy: float
    samples: int


def build_digits(out_dir: Path) -> BuiltModel:
    """Train scikit-learn's MLP on the bundled digits data and export it with skl2onnx."""
    import numpy as np
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=42, stratify=y)
    clf = MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(x_train, y_train)
    onx = convert_sklearn(clf, initial_types=[("input", FloatTensorType([None, 64]))],
                          options={id(clf): {"zipmap": False}})
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / "digits.onnx"
    model_path.write_bytes(onx.SerializeToString())
    data_dir = out_dir / "dataset-digits"
    data_dir.mkdir(exist_ok=True)
    np.savez(data_dir / "val.npz", x=x_test.astype(np.float32), y=y_test.astype(np.int64))
    score = float(clf.score(x_test, y_test))
    return BuiltModel("digits", model_path, data_dir, score, len(y_test))


def _tinycnn_graph(size: int, bias: list[float], seed: int):  # type: ignore[no-untyped-def]
    """A 3-conv ReLU net + global average pool + FC, random He-initialised weights."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    chans = [3, 16, 32, 64]
    nodes, inits = [], []
    prev = "input"
    for k in range(3):
        cin, cout = chans[k], chans[k + 1]
        w = (rng.standard_normal((cout, cin, 3, 3)) * np.sqrt(2.0 / (cin * 9))).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"w{k}"))
        stride = 1 if k == 0 else 2
        nodes.append(helper.make_node("Conv", [prev, f"w{k}"], [f"c{k}"], pads=[1, 1, 1, 1],
                                      strides=[stride, stride]))
        nodes.append(helper.make_node("Relu", [f"c{k}"], [f"r{k}"]))
        prev = f"r{k}"
    nodes.append(helper.make_node("GlobalAveragePool", [prev], ["gap"]))
    nodes.append(helper.make_node("Flatten", ["gap"], ["flat"]))
    fc = (rng.standard_normal((chans[-1], 10)) * np.sqrt(2.0 / chans[-1])).astype(np.float32)
    inits.append(numpy_helper.from_array(fc, "fc_w"))
    inits.append(numpy_helper.from_array(np.asarray(bias, np.float32), "fc_b"))
    nodes.append(helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"]))
    graph = helper.make_graph(
        nodes, "tinycnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 3, size, size])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [None, 10])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def build_tinycnn(out_dir: Path, size: int = 32, samples: int = 64, seed: int = 1234) -> BuiltModel:
    """A random CNN whose labels are its own fp32 argmax (a 'reference output' check, 100 %)."""
    import numpy as np
    import onnxruntime as ort

    rng = np.random.default_rng(seed)
    x = rng.random((samples, 3, size, size), dtype=np.float32)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / "tinycnn.onnx"
    model_path.write_bytes(_tinycnn_graph(size, [0.0] * 10, seed).SerializeToString())
    logits = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    # Centre the logits so the labels spread over the classes instead of all landing in one.
    model = _tinycnn_graph(size, (-logits.mean(axis=0)).tolist(), seed)
    model_path.write_bytes(model.SerializeToString())
    sess = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    labels = sess.run(None, {"input": x})[0].argmax(axis=1).astype(np.int64)
    data_dir = out_dir / "dataset-tinycnn"
    data_dir.mkdir(exist_ok=True)
    np.savez(data_dir / "val.npz", x=x, y=labels)
    return BuiltModel("tinycnn", model_path, data_dir, 1.0, samples)


def build_bad_model(out_dir: Path) -> Path:
    """A model whose input is float64: fed the float32 digits data, every inference raises."""
    from onnx import TensorProto, helper

    node = helper.make_node("ArgMax", ["input"], ["label"], axis=1, keepdims=0)
    graph = helper.make_graph(
        [node], "bad",
        [helper.make_tensor_value_info("input", TensorProto.DOUBLE, [None, 64])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "bad.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def require_ml() -> None:
    """Skip the calling test unless the ML packages are importable."""
    for name in ("numpy", "onnx", "onnxruntime", "sklearn", "skl2onnx", "mlperf_loadgen"):
        pytest.importorskip(name)


_BUILT: dict[str, BuiltModel] = {}


def shared_digits(factory: pytest.TempPathFactory) -> BuiltModel:
    """The digits model, built once per test session (test files wrap this in a fixture)."""
    require_ml()
    if "digits" not in _BUILT:
        _BUILT["digits"] = build_digits(factory.mktemp("digits"))
    return _BUILT["digits"]


def shared_tinycnn(factory: pytest.TempPathFactory) -> BuiltModel:
    """The tiny CNN (3x32x32, 64 samples), built once per test session."""
    require_ml()
    if "tinycnn" not in _BUILT:
        _BUILT["tinycnn"] = build_tinycnn(factory.mktemp("tinycnn"))
    return _BUILT["tinycnn"]


HARNESS = SCRIPT_REPO / "app-loadgen-generic-python" / "src" / "harness.py"
RUN_MLPERF = SCRIPT_REPO / "run-mlperf-inference" / "src" / "run_mlperf.py"
CHECKER = SCRIPT_REPO / "check-mlperf-submission" / "src" / "checker.py"


def load_program(recipe: str, module: str):  # type: ignore[no-untyped-def]
    """Import ``<recipe>/src/<module>.py`` under a unique name (programs are not a package)."""
    import importlib.util
    import sys

    path = SCRIPT_REPO / recipe / "src" / f"{module}.py"
    name = f"mlperf_{recipe.replace('-', '_')}_{module}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up while the class is built
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        sys.path.remove(str(path.parent))
    return mod


def run_program(script: Path, *args: str, timeout: float = 120):  # type: ignore[no-untyped-def]
    """Run a recipe program with the test interpreter; returns the CompletedProcess."""
    import subprocess
    import sys

    env = dict(os.environ, ORT_DISABLE_TELEMETRY="1")
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)
