"""run-mlperf-inference end to end on digits (all scenarios x both modes), accuracy and the checker."""

from __future__ import annotations

import hashlib
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
BASE = "open/colmind"  # <division>/<submitter> inside the submission tree


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


def _base(root: Path) -> Path:
    return root / "submission" / BASE


def _scenario(root: Path, scenario: str) -> Path:
    return _base(root) / "results" / SYSTEM / "digits" / scenario


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
    assert {p.name for p in (tree / "submission").iterdir()} == {"README.md", "open"}
    assert {p.name for p in _base(tree).iterdir()} == {"systems", "src", "results", "model_mapping.json"}
    assert json.loads((_base(tree) / "model_mapping.json").read_text()) == {"digits": "resnet"}
    assert (_base(tree) / "systems" / f"{SYSTEM}.json").is_file()
    assert {"harness.py", "lg_sut.py", "model_info.json"} <= {p.name for p in (_base(tree) / "src" / "digits").iterdir()}
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
    desc = json.loads((_base(tree) / "systems" / f"{SYSTEM}.json").read_text())
    assert desc["system_name"] == SYSTEM
    assert (desc["division"], desc["submitter"]) == ("open", "colmind")
    assert desc["host_network_card_count"] and desc["system_type"] == "edge"
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
    assert not (tmp_path / "o" / "submission").exists()


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
    assert f"ERROR   {BASE}/results/{SYSTEM}/digits/Server/accuracy/accuracy.txt: required file is missing" in out


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
    assert f"{BASE}/results/{SYSTEM}/digits/SingleStream/performance/run_1/mlperf_log_detail.txt" in line
    assert "expected latency" in line  # LoadGen's own reason is passed on


def test_checker_reports_low_accuracy(copy: Path) -> None:
    acc_txt = _scenario(copy, "Offline") / "accuracy" / "accuracy.txt"
    acc_txt.write_text(re.sub(r"accuracy=[0-9.]+%", "accuracy=90.000%", acc_txt.read_text()))
    rc, out = _check(copy)
    assert rc == 1
    assert f"{BASE}/results/{SYSTEM}/digits/Offline/accuracy/accuracy.txt: accuracy 90.000% is below 99%" in out


def test_checker_reports_a_wrong_seed(copy: Path) -> None:
    detail = _scenario(copy, "Server") / "performance" / "run_1" / "mlperf_log_detail.txt"
    text = detail.read_text()
    assert '"effective_qsl_rng_seed", "value": 2085463073848966840' in text
    detail.write_text(text.replace('"effective_qsl_rng_seed", "value": 2085463073848966840',
                                   '"effective_qsl_rng_seed", "value": 2465351861681999779'))
    rc, out = _check(copy)
    assert rc == 1
    assert (f"{BASE}/results/{SYSTEM}/digits/Server/performance/run_1/mlperf_log_detail.txt: qsl_rng_seed is "
            "2465351861681999779") in out
    assert "seeds (2465351861681999779" in out  # and it is inconsistent with the other runs


def test_checker_reports_a_user_conf_that_does_not_match_the_run(copy: Path) -> None:
    conf = _scenario(copy, "Offline") / "user.conf"
    conf.write_text(conf.read_text().replace("min_duration = 500", "min_duration = 700"))
    rc, out = _check(copy)
    assert rc == 1 and "requested_min_duration_ms is 500" in out



# -- what the official MLCommons checker requires of the tree ------------------------------------
def test_accuracy_logs_are_truncated_and_the_full_ones_kept(tree: Path) -> None:
    for scenario in SCENARIOS:
        log = _scenario(tree, scenario) / "accuracy" / "mlperf_log_accuracy.json"
        full = tree / "accuracy-logs" / SYSTEM / "digits" / scenario / "mlperf_log_accuracy.json"
        data, whole = log.read_bytes(), full.read_bytes()
        assert len(whole) > 10 * 1024 >= len(data)  # 450 entries are about 26 KB
        assert data.startswith(whole[:4096]) and data.endswith(whole[-4096:]) and b"\n...\n" in data
        text = (_scenario(tree, scenario) / "accuracy" / "accuracy.txt").read_text()
        assert f"hash={hashlib.sha256(whole).hexdigest()}" in text.splitlines()


def test_checker_verifies_the_hash_from_the_submission_root_too(tree: Path) -> None:
    rc, out = _check(tree / "submission")
    assert rc == 0, out
    assert "cannot be verified" not in out


def _errors(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if ln.startswith("ERROR")]


@pytest.mark.parametrize(("damage", "expected"), [
    ("root_file", "submission.json: only division folders and .md/.pdf files may be at the root"),
    ("root_dir", "runs: not a division folder"),
    ("pycache", "src/digits/__pycache__: __pycache__ folder"),
    ("empty_dir", "results/testbox/digits/Offline/empty: empty folder"),
    ("hidden", "src/digits/.notes: name starts with '.'"),
    ("code_not_src", f"{BASE}/src: required folder is missing (since v6.0 the sources are in src/"),
    ("unmapped", "results/testbox/digits: 'digits' is not an MLPerf benchmark and model_mapping.json"),
    ("bad_mapping", "model_mapping.json: 'digits' is mapped to 'mnist', which is not an MLPerf benchmark"),
    ("system_field", "testbox.json: system description field 'host_network_card_count' is missing"),
    ("system_empty", "testbox.json: system description field 'host_storage_type' needs a meaningful value"),
    ("system_division", "testbox.json: division is 'closed' but the folder is 'open'"),
    ("system_status", "testbox.json: status 'released' is not one of available, preview, rdi"),
    ("system_nodes", "testbox.json: 'number_of_nodes' must be a whole number"),
    ("orphan_system", "systems/other.json: system 'other' has no results/other/ folder"),
    ("untruncated", "Server/accuracy/mlperf_log_accuracy.json: 2"),
    ("wrong_full_log", "Server/accuracy/accuracy.txt: hash does not match the full accuracy log"),
    ("total", "Server/accuracy/accuracy.txt: total=449 but LoadGen's accuracy run covered 450 samples"),
    ("acc_line", "Server/accuracy/accuracy.txt: no line starting with 'accuracy=<percent>'"),
])
def test_checker_catches_what_the_official_checker_rejects(copy: Path, damage: str, expected: str) -> None:
    base = _base(copy)
    system_json = base / "systems" / f"{SYSTEM}.json"
    desc = json.loads(system_json.read_text())
    acc = _scenario(copy, "Server") / "accuracy"
    full = copy / "accuracy-logs" / SYSTEM / "digits" / "Server" / "mlperf_log_accuracy.json"
    if damage == "root_file":
        (copy / "submission" / "submission.json").write_text("{}")
    elif damage == "root_dir":
        (copy / "submission" / "runs").mkdir()
        (copy / "submission" / "runs" / "x.json").write_text("{}")
    elif damage == "pycache":
        (base / "src" / "digits" / "__pycache__").mkdir()
        (base / "src" / "digits" / "__pycache__" / "lg_sut.pyc").write_bytes(b"x")
    elif damage == "empty_dir":
        (_scenario(copy, "Offline") / "empty").mkdir()
    elif damage == "hidden":
        (base / "src" / "digits" / ".notes").write_text("x")
    elif damage == "code_not_src":
        (base / "src").rename(base / "code")
    elif damage == "unmapped":
        (base / "model_mapping.json").write_text("{}")
    elif damage == "bad_mapping":
        (base / "model_mapping.json").write_text('{"digits": "mnist"}')
    elif damage.startswith("system_"):
        key, value = {"system_field": ("host_network_card_count", None), "system_empty": ("host_storage_type", ""),
                      "system_division": ("division", "closed"), "system_status": ("status", "released"),
                      "system_nodes": ("number_of_nodes", "one")}[damage]
        if value is None:
            del desc[key]
        else:
            desc[key] = value
        system_json.write_text(json.dumps(desc))
    elif damage == "orphan_system":
        (base / "systems" / "other.json").write_text(json.dumps({**desc, "system_name": "other"}))
    elif damage == "untruncated":
        shutil.copy(full, acc / "mlperf_log_accuracy.json")
    elif damage == "wrong_full_log":
        full.write_bytes(full.read_bytes()[:-2] + b" ]")
    elif damage in ("total", "acc_line"):
        text = (acc / "accuracy.txt").read_text()
        new = text.replace("total=450", "total=449") if damage == "total" else text.replace("accuracy=", "acc: ")
        (acc / "accuracy.txt").write_text(new)
    rc, out = _check(copy)
    assert rc == 1, out
    assert any(expected in ln for ln in _errors(out)), out


# -- robustness through the recipe program --------------------------------------------------------
def test_a_model_that_raises_stops_the_run_with_a_clear_error(digits_model: BuiltModel, tmp_path: Path) -> None:
    from mlperf_fixtures import build_bad_model

    bad = build_bad_model(tmp_path / "bad")
    proc = run_program(RUN_MLPERF, "--model-path", str(bad), "--dataset", str(digits_model.dataset_dir),
                       "--scenario", "Offline", "--output-dir", str(tmp_path / "o"), "--timeout", "60")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "calibration failed" in proc.stderr and "INVALID_ARGUMENT" in proc.stderr.upper()


def test_inference_failing_mid_run_completes_every_sample_and_fails_the_run(
        digits_model: BuiltModel, tmp_path: Path) -> None:
    out = tmp_path / "o"
    proc = run_program(RUN_MLPERF, "--model-path", str(digits_model.model_path), "--dataset",
                       str(digits_model.dataset_dir), "--scenario", "Offline", "--mode", "accuracy",
                       "--threads", "1", "--batch-size", "16", "--inject-failure-after", "3",
                       "--output-dir", str(out), "--timeout", "60", timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Offline accuracy run error: inference failed for" in proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["all_valid"] is False and len(summary["errors"]) == 1
    run = json.loads((out / "runs" / "digits" / "Offline" / "accuracy.json").read_text())
    samples = run["samples"]
    assert samples["issued"] == samples["completed"] == digits_model.samples
    assert 0 < samples["failed"] < samples["issued"]
    acc_txt = next((out / "submission").glob("open/*/results/*/digits/Offline/accuracy/accuracy.txt")).read_text()
    good = int(re.search(r"good=(\d+), total=(\d+)", acc_txt).group(1))  # type: ignore[union-attr]
    assert f"total={digits_model.samples}" in acc_txt
    assert good <= samples["issued"] - samples["failed"]  # failed (empty) responses count as wrong


def test_a_run_past_its_timeout_is_killed_and_fails_the_command(digits_model: BuiltModel, tmp_path: Path) -> None:
    import time

    out = tmp_path / "o"
    started = time.monotonic()
    # valid mode = LoadGen's 600 s minimum duration: far past a 12 s timeout
    proc = run_program(RUN_MLPERF, "--model-path", str(digits_model.model_path), "--dataset",
                       str(digits_model.dataset_dir), "--scenario", "SingleStream", "--mode", "performance",
                       "--execution-mode", "valid", "--output-dir", str(out), "--timeout", "12", timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert time.monotonic() - started < 120
    assert "SingleStream performance run timeout" in proc.stderr
    row = json.loads((out / "summary.json").read_text())["scenarios"][0]
    assert row["result"] == "TIMEOUT" and "TIMEOUT" in proc.stdout
