"""app-image-classification-onnx-py: dataset accuracy, files/folders/npy/npz/pgm inputs, batching,
4-D models, input validation and the results returned through state/env."""

from __future__ import annotations

import json
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
np = pytest.importorskip("numpy")
pytest.importorskip("onnxruntime")
app = load_module("app-image-classification-onnx-py", "classify")
KEY = "cm_app_image_classification_onnx_py"


def write_pgm(path: Path, img: Any, binary: bool = True) -> None:
    """8-bit PGM from an image in [0, 1]."""
    pix = np.clip(np.round(img * 255), 0, 255).astype(np.uint8)
    h, w = pix.shape
    if binary:
        path.write_bytes(f"P5\n# test\n{w} {h}\n255\n".encode() + pix.tobytes())
    else:
        path.write_text(f"P2\n{w} {h}\n255\n" + " ".join(str(v) for v in pix.reshape(-1)) + "\n")


def test_meta() -> None:
    meta = assert_valid_meta("app-image-classification-onnx-py", ["app", "image-classification", "onnx", "python",
                                                                  "classify"])
    deps = {d["tags"]: d for d in meta["deps"]}
    assert deps["install,python-venv"]["name"] == "colmind"
    for tags in ("get,generic-python-lib,_onnxruntime", "get,generic-python-lib,_numpy", "get,dataset,digits",
                 "get,ml-model,digits"):
        assert tags in deps
    assert meta["new_state_keys"] == [KEY]
    assert meta["input_mapping"]["batch_size"] == "CM_BATCH_SIZE"


def test_digits_validation_set(digits_model: dict[str, Any], digits_dir: Path) -> None:  # noqa: F811
    r = app.classify(digits_model["file"], dataset=str(digits_dir / "val.npz"), labels_path=str(digits_dir / "labels.txt"),
                     topk=3)
    assert r["count"] == r["labeled"] == 450
    assert round(r["accuracy"], 4) == digits_model["accuracy"]
    assert r["accuracy"] <= r["topk_accuracy"] <= 1.0
    assert all(len(e["top"]) == 3 for e in r["results"])
    first = r["results"][0]
    assert [t["score"] for t in first["top"]] == sorted((t["score"] for t in first["top"]), reverse=True)
    assert first["correct"] == (first["top"][0]["label"] == first["truth"])


def test_batch_size_does_not_change_results(digits_model: dict[str, Any], digits_dir: Path) -> None:  # noqa: F811
    kw = {"dataset": str(digits_dir / "val.npz"), "labels_path": str(digits_dir / "labels.txt"), "topk": 1}
    a = app.classify(digits_model["file"], batch_size=1, threads=1, **kw)
    b = app.classify(digits_model["file"], batch_size=64, **kw)
    assert [e["top"][0]["index"] for e in a["results"]] == [e["top"][0]["index"] for e in b["results"]]


def test_pgm_folder_with_label_subfolders(digits_model: dict[str, Any], digits_dir: Path,  # noqa: F811
                                          tmp_path: Path) -> None:
    val = np.load(digits_dir / "val.npz")
    for k in range(20):
        d = tmp_path / "imgs" / str(int(val["y"][k]))
        d.mkdir(parents=True, exist_ok=True)
        write_pgm(d / f"img{k:02d}.pgm", val["x"][k].reshape(8, 8), binary=bool(k % 2))
    r = app.classify(digits_model["file"], input_path=str(tmp_path / "imgs"), labels_path=str(digits_dir / "labels.txt"))
    assert r["count"] == r["labeled"] == 20
    direct = app.classify(digits_model["file"], dataset=str(digits_dir / "val.npz"),
                          labels_path=str(digits_dir / "labels.txt"))
    truth = {f"img{k:02d}.pgm": direct["results"][k]["top"][0]["label"] for k in range(20)}
    for e in r["results"]:  # 8-bit quantisation may flip a borderline image at most
        assert e["truth"] is not None
    agree = sum(truth[Path(e["input"]).name] == e["top"][0]["label"] for e in r["results"])
    assert agree >= 19


def test_single_npy_and_unlabeled(digits_model: dict[str, Any], digits_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    val = np.load(digits_dir / "val.npz")
    np.save(tmp_path / "one.npy", val["x"][5].reshape(8, 8))
    r = app.classify(digits_model["file"], input_path=str(tmp_path / "one.npy"), labels_path=str(digits_dir / "labels.txt"))
    assert r["count"] == 1 and r["labeled"] == 0 and r["accuracy"] is None
    assert r["results"][0]["truth"] is None
    env = app.env_of(dict(r, provider="CPUExecutionProvider"))
    assert "CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_ACCURACY" not in env
    assert env["CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_TOP1"] == r["results"][0]["top"][0]["label"]


def test_four_d_model_with_pgm(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    make = load_module("get-ml-model-tinycnn", "make_tinycnn")
    info = make.build(32, 0, str(tmp_path / "m"))
    write_pgm(tmp_path / "x.pgm", np.random.RandomState(0).rand(10, 12))
    r = app.classify(info["file"], input_path=str(tmp_path / "x.pgm"), topk=10)
    assert r["count"] == 1 and len(r["results"][0]["top"]) == 10
    assert abs(sum(t["score"] for t in r["results"][0]["top"]) - 1.0) < 1e-4


def test_png_without_pillow_is_a_clear_error(digits_model: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    try:
        import PIL  # noqa: F401
        pytest.skip("Pillow is installed")
    except ImportError:
        pass
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(app.InputError, match="Pillow"):
        app.classify(digits_model["file"], input_path=str(tmp_path / "a.png"))


@pytest.mark.parametrize("text", [b"P7\n", b"P5\n2 2\n255\n\x00"])
def test_bad_pgm(tmp_path: Path, text: bytes) -> None:
    (tmp_path / "bad.pgm").write_bytes(text)
    with pytest.raises(app.InputError):
        app.read_pnm(str(tmp_path / "bad.pgm"))


def test_preprocess_validation(digits_model: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    custom = load_customize("app-image-classification-onnx-py")
    base = {"CM_ML_MODEL_FILE_WITH_PATH": digits_model["file"], "CM_DATASET_DIGITS_VAL_PATH": "/x/val.npz"}
    i = fake_i("app-image-classification-onnx-py", env=dict(base), inp={"out": "json"})
    assert custom.preprocess(i) == {"return": 0}
    env = i["env"]
    assert env["CM_BATCH_SIZE"] == "32" and env["CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_TOPK"] == "5"
    assert env["CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_QUIET"] == "yes"
    assert env["CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_MODEL_PATH"] == digits_model["file"]
    for bad in ({"CM_BATCH_SIZE": "0"}, {"CM_BATCH_SIZE": "abc"}, {"CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_THREADS": "-1"},
                {"CM_ML_MODEL_FILE_WITH_PATH": str(tmp_path / "none.onnx")}, {"CM_IMAGE": str(tmp_path / "nope.pgm")}):
        r = custom.preprocess(fake_i("app-image-classification-onnx-py", env=dict(base, **bad)))
        assert r["return"] == 1, bad


def test_postprocess_reads_state_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    custom = load_customize("app-image-classification-onnx-py")
    r = custom.postprocess(fake_i("app-image-classification-onnx-py", env={}))
    assert r["return"] == 1
    (tmp_path / "tmp-run-state.json").write_text(json.dumps({KEY: {"accuracy": 0.5, "count": 2, "results": []}}))
    i = fake_i("app-image-classification-onnx-py", env={})
    assert custom.postprocess(i) == {"return": 0}
    assert i["state"][KEY]["count"] == 2
    assert i["env"]["CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_ACCURACY"] == "0.500000"


@pytest.mark.slow
def test_run_sh_end_to_end(digits_model: dict[str, Any], digits_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    env = {"CM_PYTHON_BIN_WITH_PATH": PY, "CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_MODEL_PATH": digits_model["file"],
           "CM_IMAGE": "", "CM_DATASET_DIGITS_VAL_PATH": str(digits_dir / "val.npz"),
           "CM_DATASET_DIGITS_LABELS_PATH": str(digits_dir / "labels.txt"), "CM_BATCH_SIZE": "16",
           "CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_THREADS": "1", "CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_TOPK": "2",
           "CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_DEVICE": "cpu"}
    proc, out = run_native("app-image-classification-onnx-py", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Accuracy (top-1):" in proc.stdout
    state = json.loads((tmp_path / "tmp-run-state.json").read_text())[KEY]
    assert state["count"] == 450 and state["topk"] == 2 and state["batch_size"] == 16
    assert float(out["CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_ACCURACY"]) == pytest.approx(state["accuracy"], abs=1e-6)
    quiet, _ = run_native("app-image-classification-onnx-py", dict(env, CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_QUIET="yes"),
                          tmp_path)
    assert quiet.returncode == 0 and quiet.stdout.strip() == ""
