"""Every built-in recipe, run for real through ``colmind.access`` (the engine), offline.

The first run builds; the second run of a cached recipe must be a cache hit (read from the run
record). Recipes that CM does not cache (detection, apps) must give the same result twice.
The managed venv reuses the packages of the test interpreter (COLMIND_VENV_SYSTEM_SITE_PACKAGES)
so CI does not download them again.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from colmind import access
from colmind.core import reset_core

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("recipes") / "CM"


@pytest.fixture(autouse=True)
def _shared_cache(shared_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """One CM_REPOS for the module: recipes share venv, dataset and model entries like a user's."""
    monkeypatch.setenv("CM_REPOS", str(shared_home))
    monkeypatch.setenv("COLMIND_VENV_SYSTEM_SITE_PACKAGES", "yes")
    monkeypatch.setenv("COLMIND_VENV_BASE_PYTHON", sys.executable)
    # like a user with the test venv activated: get-python3 finds the interpreter that has the packages
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.chdir(tmp_path)
    reset_core()
    yield
    reset_core()


def run_twice(tmp_path: Path, tags: str, **inputs: Any) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Run a recipe twice; returns both results and the root node's cache status of each run."""
    results, statuses = [], []
    for n in (1, 2):
        record = tmp_path / f"record-{n}.json"
        r = access({"action": "run", "automation": "script", "tags": tags, "quiet": True,
                    "record": str(record), **inputs})
        assert r["return"] == 0, r.get("error")
        results.append(r)
        plan = json.loads(record.read_text())["plan"]
        statuses.append(plan["cache"])
    return results[0], results[1], statuses


CASES = [
    ("detect,os", {}, ["CM_HOST_OS_TYPE", "CM_HOST_OS_FLAVOR", "CM_HOST_OS_VERSION", "CM_HOST_PLATFORM_FLAVOR"]),
    ("detect,cpu", {}, ["CM_HOST_CPU_TOTAL_PHYSICAL_CORES", "CM_HOST_CPU_MODEL_NAME"]),
    ("detect,gpu", {}, ["CM_GPU_COUNT"]),
    ("detect,sudo", {}, ["CM_SUDO_USER"]),
    ("print,hello-world,_text.HI", {"test1": "X"}, ["CM_ENV_TEST1"]),
    ("get,python3", {}, ["CM_PYTHON_BIN_WITH_PATH", "CM_PYTHON_VERSION"]),
    ("install,python-venv", {"name": "tests"}, ["CM_VIRTUAL_ENV_PATH", "CM_PYTHON_BIN_WITH_PATH"]),
    ("get,generic-python-lib,_numpy", {}, ["CM_NUMPY_VERSION"]),
    ("get,onnxruntime", {}, ["CM_ONNXRUNTIME_VERSION"]),
    ("get,dataset,digits", {}, ["CM_DATASET_DIGITS_PATH", "CM_DATASET_DIGITS_VAL_PATH"]),
    ("get,ml-model,digits", {}, ["CM_ML_MODEL_FILE_WITH_PATH", "CM_ML_MODEL_ACCURACY"]),
    ("get,ml-model,tinycnn", {}, ["CM_ML_MODEL_FILE_WITH_PATH"]),
    ("get,mlperf-loadgen", {}, ["CM_MLPERF_LOADGEN_VERSION"]),
]


@pytest.mark.ml
@pytest.mark.parametrize(("tags", "inputs", "keys"), CASES, ids=[c[0] for c in CASES])
def test_recipe_runs_and_caches(tmp_path: Path, tags: str, inputs: dict[str, Any], keys: list[str]) -> None:
    if "onnx" in tags or "ml-model" in tags or "loadgen" in tags or "digits" in tags:
        pytest.importorskip("onnxruntime")
        pytest.importorskip("sklearn")
    first, second, statuses = run_twice(tmp_path, tags, **inputs)
    for key in keys:
        assert first["new_env"].get(key) not in (None, ""), f"{tags}: {key} missing from new_env"
    stable = {k: v for k, v in first["new_env"].items() if "TIME" not in k}
    assert {k: second["new_env"].get(k) for k in stable} == stable
    meta_cached = statuses[0] != "off"
    if meta_cached:
        assert statuses[1] == "hit", f"{tags}: second run was {statuses[1]}, not a cache hit"


def test_download_file_with_checksum_is_cached(tmp_path: Path) -> None:
    payload = tmp_path / "payload.bin"
    payload.write_bytes(b"colmind" * 1000)
    sha = hashlib.sha256(payload.read_bytes()).hexdigest()
    first, _, statuses = run_twice(tmp_path, "download,file", url=payload.as_uri(), sha256=sha)
    path = first["new_env"]["CM_DOWNLOAD_DOWNLOADED_PATH"]
    assert Path(path).read_bytes() == payload.read_bytes()
    assert statuses == ["miss", "hit"] or statuses[1] == "hit"


def test_download_file_wrong_checksum_fails(tmp_path: Path) -> None:
    payload = tmp_path / "payload.bin"
    payload.write_bytes(b"data")
    r = access({"action": "run", "automation": "script", "tags": "download,file", "quiet": True,
                "url": payload.as_uri(), "sha256": "0" * 64})
    assert r["return"] > 0
    assert "sha256" in r["error"].lower() or "checksum" in r["error"].lower()


def test_extract_file_refuses_escaping_archive(tmp_path: Path) -> None:
    evil = tmp_path / "evil.tar.gz"
    inside = tmp_path / "x.txt"
    inside.write_text("x")
    with tarfile.open(evil, "w:gz") as tf:
        tf.add(inside, arcname="../escaped.txt")
    r = access({"action": "run", "automation": "script", "tags": "extract,file", "quiet": True,
                "input": str(evil), "extract_path": str(tmp_path / "out")})
    assert r["return"] > 0
    assert not (tmp_path / "escaped.txt").exists()


def test_extract_file_unpacks_and_reruns_the_same(tmp_path: Path) -> None:
    archive = tmp_path / "data.tar.gz"
    inside = tmp_path / "hello.txt"
    inside.write_text("hello from the archive")
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(inside, arcname="pkg/hello.txt")
    target = tmp_path / "out"
    first, second, _ = run_twice(tmp_path, "extract,file", input=str(archive), extract_path=str(target))
    extracted = Path(first["new_env"]["CM_EXTRACT_EXTRACTED_PATH"])
    assert (target / "pkg" / "hello.txt").read_text() == "hello from the archive"
    assert extracted.exists()
    assert second["new_env"]["CM_EXTRACT_EXTRACTED_PATH"] == first["new_env"]["CM_EXTRACT_EXTRACTED_PATH"]


def test_get_git_repo_from_local_repository(tmp_path: Path) -> None:
    src = tmp_path / "src-repo"
    src.mkdir()
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(src)], check=True)
    (src / "file.txt").write_text("hello")
    subprocess.run([*git, "-C", str(src), "add", "."], check=True)
    subprocess.run([*git, "-C", str(src), "commit", "-qm", "init"], check=True)
    first, _, statuses = run_twice(tmp_path, "get,git,repo", url=str(src))
    checkout = first["new_env"]["CM_GIT_REPO_CHECKOUT_PATH"]
    assert (Path(checkout) / "file.txt").read_text() == "hello"
    assert statuses[1] == "hit"


@pytest.mark.ml
def test_image_classification_app_reports_accuracy(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("sklearn")
    first, second, _ = run_twice(tmp_path, "app,image-classification,onnx,python")
    accuracy = float(first["new_env"]["CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_ACCURACY"])
    assert 0.95 <= accuracy <= 1.0
    # the app itself is not cached (CM's choice for apps); everything it depends on is
    plan = json.loads((tmp_path / "record-2.json").read_text())["plan"]
    cached = [c for c in plan["children"] if c["cache"] != "off"]
    assert cached and all(c["cache"] == "hit" for c in cached), [(c["alias"], c["cache"]) for c in cached]
    assert float(second["new_env"]["CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_ACCURACY"]) == accuracy


@pytest.mark.ml
def test_mlperf_offline_run_is_valid_and_checked(tmp_path: Path) -> None:
    pytest.importorskip("mlperf_loadgen")
    pytest.importorskip("onnxruntime")
    out = tmp_path / "results"
    r = access({"action": "run", "automation": "script", "tags": "run-mlperf,inference", "quiet": True,
                "model": "digits", "scenario": "Offline", "mode": "all", "execution_mode": "test",
                "output_dir": str(out)})
    assert r["return"] == 0, r.get("error")
    assert str(r["new_env"]["CM_MLPERF_ALL_VALID"]).lower() in ("yes", "true", "1")
    summary = json.loads(Path(r["new_env"]["CM_MLPERF_SUMMARY_JSON"]).read_text())
    offline = [s for s in summary["scenarios"] if s["scenario"] == "Offline"][0]
    assert offline["result"] == "VALID"
    check = access({"action": "run", "automation": "script", "tags": "check,mlperf,submission", "quiet": True,
                    "submission_dir": str(r["new_env"]["CM_MLPERF_OUTPUT_DIR"])})
    assert check["return"] == 0, check.get("error")
    submission = Path(r["new_env"]["CM_MLPERF_SUBMISSION_DIR"])
    assert submission == Path(r["new_env"]["CM_MLPERF_OUTPUT_DIR"]) / "submission"
    assert {p.name for p in submission.iterdir()} == {"README.md", "open"}  # what MLCommons' checker walks
    results = list(submission.glob("open/*/results/*/digits/Offline/accuracy/accuracy.txt"))
    assert results, "accuracy.txt missing"
    assert os.path.getsize(results[0]) > 0


@pytest.mark.ml
def test_mlperf_tinycnn_reproduces_its_own_labels(tmp_path: Path) -> None:
    pytest.importorskip("mlperf_loadgen")
    pytest.importorskip("onnxruntime")
    r = access({"action": "run", "automation": "script", "tags": "run-mlperf,inference", "quiet": True,
                "model": "tinycnn", "scenario": "Offline", "mode": "all", "execution_mode": "test",
                "output_dir": str(tmp_path / "results")})
    assert r["return"] == 0, r.get("error")
    summary = json.loads(Path(r["new_env"]["CM_MLPERF_SUMMARY_JSON"]).read_text())
    offline = [s for s in summary["scenarios"] if s["scenario"] == "Offline"][0]
    assert offline["result"] == "VALID"
    assert offline["accuracy"] == 1.0  # labels are the model's own answers
