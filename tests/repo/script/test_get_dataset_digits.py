"""get-dataset-digits: the split, the file formats, the env, and run.sh like the engine runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from recipe_fixtures import PY, assert_valid_meta, digits_dir, fake_i, load_customize, run_native  # noqa: F401

pytestmark = pytest.mark.ml


def test_meta() -> None:
    meta = assert_valid_meta("get-dataset-digits", ["get", "dataset", "digits", "image-classification"])
    assert meta["cache"] is True
    tags = [d["tags"] for d in meta["deps"]]
    assert "get,generic-python-lib,_scikit-learn" in tags and "get,generic-python-lib,_numpy" in tags
    assert meta["new_env_keys"] == ["CM_DATASET_DIGITS_*"]


def test_files_and_split(digits_dir: Path) -> None:  # noqa: F811
    np = pytest.importorskip("numpy")
    train, val = np.load(digits_dir / "train.npz"), np.load(digits_dir / "val.npz")
    assert sorted(train.files) == ["x", "y"] and sorted(val.files) == ["x", "y"]
    assert train["x"].shape == (1347, 64) and val["x"].shape == (450, 64)
    assert train["x"].dtype == np.float32 and val["y"].dtype == np.int64
    assert 0.0 <= float(train["x"].min()) and float(train["x"].max()) <= 1.0
    counts = np.bincount(val["y"], minlength=10)
    assert counts.sum() == 450 and counts.min() >= 43 and counts.max() <= 47  # stratified: ~45 per class
    assert (digits_dir / "labels.txt").read_text().split() == [str(c) for c in range(10)]
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    _, xv, _, yv = train_test_split(d.data / 16.0, d.target, test_size=0.25, random_state=42, stratify=d.target)
    assert np.array_equal(val["y"], yv) and np.allclose(val["x"], xv)


def test_postprocess_fills_and_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, digits_dir: Path) -> None:  # noqa: F811
    custom = load_customize("get-dataset-digits")
    i = fake_i("get-dataset-digits", env={"CM_DATASET_DIGITS_PATH": str(digits_dir)})
    assert custom.postprocess(i) == {"return": 0}
    assert i["env"]["CM_DATASET_DIGITS_VAL_PATH"] == str(digits_dir / "val.npz")
    monkeypatch.chdir(tmp_path)
    r = custom.postprocess(fake_i("get-dataset-digits", env={}))
    assert r["return"] == 1 and "train.npz was not created" in r["error"]
    r = custom.preprocess(fake_i("get-dataset-digits", env={}))
    assert r["return"] == 1 and "CM_PYTHON_BIN_WITH_PATH" in r["error"]


@pytest.mark.slow
def test_run_sh(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    proc, env = run_native("get-dataset-digits", {"CM_PYTHON_BIN_WITH_PATH": PY}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert env["CM_DATASET_DIGITS_PATH"] == str(tmp_path / "digits")
    assert env["CM_DATASET_DIGITS_TRAIN_SIZE"] == "1347" and env["CM_DATASET_DIGITS_VAL_SIZE"] == "450"
    assert Path(env["CM_DATASET_DIGITS_VAL_PATH"]).is_file()
    assert not list(tmp_path.glob("digits/*.tmp-*"))
