"""The generic LoadGen harness (app-loadgen-generic-python): config rules, errors, timeouts, SUT kinds."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from mlperf_fixtures import (  # noqa: E402
    HARNESS,
    BuiltModel,
    build_bad_model,
    load_program,
    run_program,
    shared_digits,
)

pytestmark = pytest.mark.ml


@pytest.fixture(scope="session")
def digits_model(tmp_path_factory: pytest.TempPathFactory) -> BuiltModel:
    return shared_digits(tmp_path_factory)


def _harness(model: Path, dataset: Path, out: Path, scenario: str, mode: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_program(HARNESS, "--model", str(model), "--dataset", str(dataset), "--model-name", "digits",
                       "--scenario", scenario, "--mode", mode, "--output-dir", str(out / "logs"),
                       "--result-json", str(out / "result.json"), *extra)


def _result(out: Path) -> dict:
    return json.loads((out / "result.json").read_text())


def _accuracy_entries(out: Path) -> list[dict]:
    return json.loads((out / "logs" / "mlperf_log_accuracy.json").read_text())


# -- user.conf rules (pure) ----------------------------------------------------------------
@pytest.mark.parametrize(("scenario", "key", "ok"), [
    ("Offline", "min_duration", True),
    ("Offline", "target_qps", True),
    ("Offline", "target_latency", False),          # Offline has no latency target
    ("Server", "target_latency", True),
    ("Server", "coalesce_queries", True),
    ("SingleStream", "target_latency", True),
    ("SingleStream", "target_qps", False),
    ("MultiStream", "samples_per_query", True),
    ("MultiStream", "target_qps", False),          # not read by 6.0.17
    ("Offline", "min_duration_ms", False),         # Python attribute name: LoadGen ignores it
    ("Offline", "qsl_rng_seed", False),            # seeds come only from the built-in mlperf.conf
    ("Server", "performance_sample_count_override", True),
])
def test_user_conf_accepts_only_keys_loadgen_reads(scenario: str, key: str, ok: bool) -> None:
    cfg = load_program("app-loadgen-generic-python", "lg_config")
    if ok:
        text = cfg.render_user_conf("digits", scenario, {key: "1"})
        assert f"digits.{scenario}.{key} = 1" in text
    else:
        with pytest.raises(cfg.ConfigError, match=key):
            cfg.render_user_conf("digits", scenario, {key: "1"})


@pytest.mark.parametrize("item", ["min_duration", "min_duration=abc", "=5"])
def test_bad_settings_are_refused(item: str) -> None:
    cfg = load_program("app-loadgen-generic-python", "lg_config")
    with pytest.raises(cfg.ConfigError):
        cfg.parse_assignments([item])


def test_missing_user_conf_is_a_config_error(digits_model: BuiltModel, tmp_path: Path) -> None:
    proc = _harness(digits_model.model_path, digits_model.dataset_dir, tmp_path, "Offline", "performance",
                    "--user-conf", str(tmp_path / "nope.conf"))
    assert proc.returncode == 2
    assert "user.conf not found" in proc.stderr
    assert _result(tmp_path)["status"] == "config_error"


# -- runs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fast", [True, False])
def test_offline_accuracy_with_and_without_fast_sut(digits_model: BuiltModel, tmp_path: Path, fast: bool) -> None:
    extra = [] if fast else ["--no-fast-sut"]
    proc = _harness(digits_model.model_path, digits_model.dataset_dir, tmp_path, "Offline", "accuracy", *extra)
    assert proc.returncode == 0, proc.stderr
    result = _result(tmp_path)
    assert result["settings"]["fast_sut"] is fast
    assert result["samples"]["issued"] == result["samples"]["completed"] == digits_model.samples
    acc = load_program("run-mlperf-inference", "accuracy")
    labels = acc.load_labels(str(digits_model.dataset_dir))
    res = acc.evaluate(_accuracy_entries(tmp_path), labels)
    assert res.accuracy == pytest.approx(digits_model.reference_accuracy)
    assert not (tmp_path / "logs" / "mlperf_log_trace.json").stat().st_size  # no trace unless asked


@pytest.mark.parametrize(("scenario", "mode", "settings"), [
    ("Offline", "accuracy", []),
    ("SingleStream", "performance", ["min_duration=300", "target_latency=0.01"]),
    ("Server", "performance", ["min_duration=300", "target_qps=2000"]),
    ("MultiStream", "accuracy", []),
])
def test_failing_model_completes_every_sample_and_exits_nonzero(
        digits_model: BuiltModel, tmp_path: Path, scenario: str, mode: str, settings: list[str]) -> None:
    bad = build_bad_model(tmp_path / "bad")  # float64 input: every inference raises
    extra = [a for s in settings for a in ("--set", s)]
    proc = _harness(bad, digits_model.dataset_dir, tmp_path, scenario, mode, *extra, "--timeout", "60")
    assert proc.returncode == 1, proc.stderr
    result = _result(tmp_path)
    assert result["status"] == "error"
    assert "inference failed" in result["message"] and "INVALID_ARGUMENT" in result["message"].upper()
    assert "ERROR: inference failed" in proc.stderr
    samples = result["samples"]
    assert samples["issued"] == samples["completed"] == samples["failed"] > 0
    if mode == "accuracy":
        entries = _accuracy_entries(tmp_path)
        assert {e["qsl_idx"] for e in entries} == set(range(digits_model.samples))
        assert all(e["data"] == "" for e in entries)


def test_failure_in_the_middle_of_a_run_is_contained(digits_model: BuiltModel, tmp_path: Path) -> None:
    proc = _harness(digits_model.model_path, digits_model.dataset_dir, tmp_path, "Offline", "accuracy",
                    "--batch-size", "16", "--threads", "1", "--inject-failure-after", "3")
    assert proc.returncode == 1
    samples = _result(tmp_path)["samples"]
    assert samples["issued"] == samples["completed"] == digits_model.samples
    assert 0 < samples["failed"] < samples["issued"]
    entries = _accuracy_entries(tmp_path)
    assert sum(1 for e in entries if e["data"]) == samples["issued"] - samples["failed"]


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(int(pid))
    return found


def test_run_past_its_timeout_is_killed_and_reported(digits_model: BuiltModel, tmp_path: Path) -> None:
    started = time.monotonic()
    proc = _harness(digits_model.model_path, digits_model.dataset_dir, tmp_path, "SingleStream", "performance",
                    "--set", "min_duration=60000", "--set", "target_latency=0.01", "--timeout", "3")
    assert proc.returncode == 124
    assert time.monotonic() - started < 30
    result = _result(tmp_path)
    assert result["status"] == "timeout"
    assert "timeout" in result["message"] and "timeout" in proc.stderr
    assert _processes_mentioning(str(tmp_path / "logs")) == []


def test_cuda_without_gpu_stops_with_a_clear_message(digits_model: BuiltModel, tmp_path: Path) -> None:
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this onnxruntime has CUDA")
    proc = _harness(digits_model.model_path, digits_model.dataset_dir, tmp_path, "Offline", "performance",
                    "--device", "cuda")
    assert proc.returncode == 2
    assert "CUDAExecutionProvider" in proc.stderr and "--device=cpu" in proc.stderr
    assert not (tmp_path / "logs" / "mlperf_log_detail.txt").exists()  # never fell back to CPU
