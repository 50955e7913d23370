"""A replay of an MLPerf step: an experiment step runs run-mlperf-inference's program (official
LoadGen, digits model, Offline, performance + accuracy) into its step folder and records the
results (``python -m colmind.experiment.mlperf_results``); replaying that step reports the
accuracy within tolerance and the performance next to it."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from colmind.testing import cli_ok
from tests.experiment.helpers import only_run, records

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "repo" / "script"))

from mlperf_fixtures import RUN_MLPERF, shared_digits  # noqa: E402

pytestmark = [pytest.mark.ml, pytest.mark.slow]


def test_replay_of_an_mlperf_step(cli, cm_home, tmp_path_factory, monkeypatch):
    model = shared_digits(tmp_path_factory)
    monkeypatch.setenv("ORT_DISABLE_TELEMETRY", "1")
    run = " ".join(shlex.quote(a) for a in (
        sys.executable, str(RUN_MLPERF), "--model", "digits", "--model-path", str(model.model_path),
        "--dataset", str(model.dataset_dir), "--reference-accuracy", str(model.reference_accuracy),
        "--mode", "all", "--execution-mode", "test", "--output-dir", "res", "--system-name", "box",
        "--timeout", "120"))
    record = f"{shlex.quote(sys.executable)} -m colmind.experiment.mlperf_results res"
    cli_ok(cli, "run", "experiment", "--tags=mlperf,replay", "--explore.SCENARIO=['Offline']", "--",
           f"{run} --scenario {{{{SCENARIO}}}} > run.log && {record}")
    run_dir = only_run(cm_home)
    (rec,) = records(run_dir)
    assert rec["colmind_status"] == "ok", rec
    assert rec["Offline.Accuracy"] > 90 and rec["Offline.Result"] > 0 and rec["Offline.Units"] == "Samples/s"
    res = cli("replay", "experiment", "--tags=mlperf,replay", f"--uid={rec['uid']}",
              "--compare=*.Accuracy,*.Result:1000%")
    assert res.code == 0, res.stdout + res.stderr
    assert "Offline.Accuracy" in res.stdout and "+0.00%" in res.stdout and "Offline.Result" in res.stdout
    (replayed,) = records(run_dir / "replays")
    assert replayed["Offline.Accuracy"] == rec["Offline.Accuracy"]
