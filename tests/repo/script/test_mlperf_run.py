"""run-mlperf-inference end to end on digits (all scenarios x both modes), accuracy and the checker."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from mlperf_fixtures import (  # noqa: E402
    CHECKER,
    HARNESS,
    RUN_MLPERF,
    BuiltModel,
    load_program,
    run_program,
    shared_digits,
)

pytestmark = pytest.mark.ml


@pytest.fixture(scope="session")
def digits_model(tmp_path_factory: pytest.TempPathFactory) -> BuiltModel:
    return shared_digits(tmp_path_factory)

SCENARIOS = ("SingleStream", "MultiStream", "Server", "Offline")
SYSTEM = "testbox"


@pytest.fixture(scope="module")
def tree(digits_model: BuiltModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One short (test) run of every scenario in both modes."""
    out = tmp_path_factory.mktemp("mlperf") / "out"
    proc = run_program(RUN_MLPERF, "--model", "digits", "--model-path", str(digits_model.model_path),
                       "--dataset", str(digits_model.dataset_dir),
                       "--reference-accuracy", str(digits_model.reference_accuracy),
                       "--scenario", "all", "--mode", "all", "--execution-mode", "test",
                       "--output-dir", str(out), "--system-name", SYSTEM, "--timeout", "120", timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SingleStream" in proc.stdout and "VALID" in proc.stdout  # the terminal table
    return out


def _scenario(root: Path, scenario: str) -> Path:
    return root / "results" / SYSTEM / "digits" / scenario


# -- the run -----------------------------------------------------------------------------------
def test_every_performance_run_is_valid(tree: Path) -> None:
    summary = json.loads((tree / "summary.json").read_text())
    rows = {r["scenario"]: r for r in summary["scenarios"]}
    assert set(rows) == set(SCENARIOS)
    for scenario, row in rows.items():
        assert row["result"] == "VALID", (scenario, row["notes"])
        assert row["value"] and row["value"] > 0
    assert rows["SingleStream"]["p90_ms"] > 0 and rows["Server"]["p99_ms"] > 0
    assert summary["all_valid"] is True and summary["errors"] == []


def test_accuracy_equals_scikit_learn_score(tree: Path, digits_model: BuiltModel) -> None:
    summary = json.loads((tree / "summary.json").read_text())
    for row in summary["scenarios"]:
        assert row["accuracy"] == pytest.approx(digits_model.reference_accuracy), row["scenario"]
        assert row["accuracy_ok"] is True
    text = (_scenario(tree, "MultiStream") / "accuracy" / "accuracy.txt").read_text()
    good = round(digits_model.reference_accuracy * digits_model.samples)
    assert f"good={good}, total={digits_model.samples}" in text


def test_the_complete_file_set(tree: Path) -> None:
    assert (tree / "systems" / f"{SYSTEM}.json").is_file()
    assert {"harness.py", "lg_sut.py", "model_info.json"} <= {p.name for p in (tree / "src" / "digits").iterdir()}
    for scenario in SCENARIOS:
        sdir = _scenario(tree, scenario)
        assert {p.name for p in sdir.iterdir()} == {"user.conf", "measurements.json", "README.md",
                                                    "performance", "accuracy"}
        assert {p.name for p in (sdir / "performance" / "run_1").iterdir()} == {
            "mlperf_log_summary.txt", "mlperf_log_detail.txt", "mlperf_log_accuracy.json"}
        assert {p.name for p in (sdir / "accuracy").iterdir()} == {
            "mlperf_log_summary.txt", "mlperf_log_detail.txt", "mlperf_log_accuracy.json", "accuracy.txt"}
        conf = (sdir / "user.conf").read_text()
        assert f"digits.{scenario}.min_duration" in conf


def test_system_description_is_filled(tree: Path) -> None:
    desc = json.loads((tree / "systems" / f"{SYSTEM}.json").read_text())
    assert desc["system_name"] == SYSTEM
    assert desc["framework"].startswith("onnxruntime ")
    assert int(desc["host_processor_core_count"]) >= 1
    assert desc["accelerators_per_node"] == "0"


def test_device_cuda_without_gpu_stops_the_whole_run(digits_model: BuiltModel, tmp_path: Path) -> None:
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this onnxruntime has CUDA")
    proc = run_program(RUN_MLPERF, "--model-path", str(digits_model.model_path), "--dataset",
                       str(digits_model.dataset_dir), "--device", "cuda", "--output-dir", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "CUDAExecutionProvider" in proc.stderr
    assert not (tmp_path / "o" / "results").exists()


# -- accuracy arithmetic (pure) -------------------------------------------------------------------
def test_accuracy_deduplicates_and_counts_empty_and_missing() -> None:
    acc = load_program("run-mlperf-inference", "accuracy")
    entries = [{"qsl_idx": 0, "data": "01000000"}, {"qsl_idx": 1, "data": "02000000"},
               {"qsl_idx": 0, "data": "09000000"},  # a MultiStream wrap-around duplicate: ignored
               {"qsl_idx": 2, "data": ""}]          # failed sample
    res = acc.evaluate(entries, [1, 3, 2, 4])
    assert (res.good, res.total, res.unique, res.empty, res.missing) == (1, 4, 3, 1, 1)
    assert res.accuracy == 0.25
    assert acc.decode_label("ffffffff") == -1


# -- the checker ---------------------------------------------------------------------------------
def _check(root: Path, *extra: str) -> tuple[int, str]:
    proc = run_program(CHECKER, "--input", str(root), *extra)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture()
def copy(tree: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "tree"
    shutil.copytree(tree, dest)
    return dest


def test_checker_passes_the_good_tree_and_warns_about_test_durations(tree: Path) -> None:
    rc, out = _check(tree)
    assert rc == 0, out
    assert "0 error(s)" in out and "min_duration is 1000 ms" in out
    rc, out = _check(tree, "--strict")
    assert rc == 1 and "official runs need >= 600000 ms" in out


def test_checker_reports_a_missing_file(copy: Path) -> None:
    (_scenario(copy, "Server") / "accuracy" / "accuracy.txt").unlink()
    rc, out = _check(copy)
    assert rc == 1
    assert f"ERROR   results/{SYSTEM}/digits/Server/accuracy/accuracy.txt: required file is missing" in out


def test_checker_reports_an_invalid_run(copy: Path, digits_model: BuiltModel, tmp_path: Path) -> None:
    # A real INVALID run: the expected latency is far too slow, so LoadGen runs out of queries.
    logs = tmp_path / "invalid"
    proc = run_program(HARNESS, "--model", str(digits_model.model_path), "--dataset", str(digits_model.dataset_dir),
                       "--model-name", "digits", "--scenario", "SingleStream", "--mode", "performance",
                       "--output-dir", str(logs), "--result-json", str(tmp_path / "r.json"),
                       "--set", "min_duration=1000", "--set", "target_latency=50")
    assert proc.returncode == 0, proc.stderr
    run_dir = _scenario(copy, "SingleStream") / "performance" / "run_1"
    for name in ("mlperf_log_summary.txt", "mlperf_log_detail.txt"):
        shutil.copy(logs / name, run_dir / name)
    rc, out = _check(copy)
    assert rc == 1
    line = next(ln for ln in out.splitlines() if "performance run is INVALID" in ln)
    assert f"results/{SYSTEM}/digits/SingleStream/performance/run_1/mlperf_log_detail.txt" in line
    assert "expected latency" in line  # LoadGen's own reason is passed on


def test_checker_reports_low_accuracy(copy: Path) -> None:
    acc_txt = _scenario(copy, "Offline") / "accuracy" / "accuracy.txt"
    acc_txt.write_text(re.sub(r"accuracy=[0-9.]+%", "accuracy=90.000%", acc_txt.read_text()))
    rc, out = _check(copy)
    assert rc == 1
    assert f"results/{SYSTEM}/digits/Offline/accuracy/accuracy.txt: accuracy 90.000% is below 99%" in out


def test_checker_reports_a_wrong_seed(copy: Path) -> None:
    detail = _scenario(copy, "Server") / "performance" / "run_1" / "mlperf_log_detail.txt"
    text = detail.read_text()
    assert '"effective_qsl_rng_seed", "value": 2085463073848966840' in text
    detail.write_text(text.replace('"effective_qsl_rng_seed", "value": 2085463073848966840',
                                   '"effective_qsl_rng_seed", "value": 2465351861681999779'))
    rc, out = _check(copy)
    assert rc == 1
    assert (f"results/{SYSTEM}/digits/Server/performance/run_1/mlperf_log_detail.txt: qsl_rng_seed is "
            "2465351861681999779") in out
    assert "seeds (2465351861681999779" in out  # and it is inconsistent with the other runs


def test_checker_reports_a_user_conf_that_does_not_match_the_run(copy: Path) -> None:
    conf = _scenario(copy, "Offline") / "user.conf"
    conf.write_text(conf.read_text().replace("min_duration = 500", "min_duration = 700"))
    rc, out = _check(copy)
    assert rc == 1 and "requested_min_duration_ms is 500" in out
