"""import-mlperf-inference-to-experiment: (a) a submission tree (colmind's layout and an official
one with power logs), (b) a checker summary.csv; one record per system x model x scenario with
performance and power together, upstream's keys and names, stable UIDs, re-import changes nothing.

Written for the exp11 version of the recipe; run against the merged one (imp11's, whose own tests
are tests/repo/script/test_import_mlperf_inference_to_experiment.py): trees are imported with
``_skip_checker``, a run that is not VALID is skipped, tags also carry ``inference``/``power``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from colmind.experiment.mlperf_results import accuracy_fields, task_of
from colmind.testing import cli_ok
from tests.experiment.helpers import records, run_dirs

SUMMARY = {
    "Offline": "Scenario : Offline\nMode     : PerformanceOnly\nSamples per second: 2500.5\nResult is : VALID\n",
    "Server": "Scenario : Server\nMode     : PerformanceOnly\nCompleted samples per second    : 1500.25\n"
              "Result is : VALID\n",
    "SingleStream": "Scenario : SingleStream\n90.0th percentile latency (ns) : 58317\nResult is : VALID\n"
                    " * Early stopping 90.0th percentile estimate: 60000\n",
    "MultiStream": "Scenario : MultiStream\n99.0th percentile latency (ns) : 101190\nResult is : INVALID\n"
                   " * Early stopping 99.0th percentile estimate: 106408\n",
}
SYSTEM = {"system_name": "box (2 cores)", "system_type": "edge", "status": "available", "division": "open",
          "host_processor_core_count": "2", "number_of_nodes": "1", "framework": "onnxruntime"}


def make_tree(root: Path, division: str, submitter: str, model: str, scenarios: list[str], *,
              mapping: dict | None = None, accuracy: str = "accuracy=98.444%, good=443, total=450\nhash=ab\n",
              watts: list[float] | None = None, system: str = "box") -> None:
    base = root / division / submitter
    (base / "systems").mkdir(parents=True, exist_ok=True)
    (base / "systems" / f"{system}.json").write_text(json.dumps({**SYSTEM, "division": division}))
    if mapping:
        (base / "model_mapping.json").write_text(json.dumps(mapping))
    for scenario in scenarios:
        where = base / "results" / system / model / scenario
        (where / "performance" / "run_1").mkdir(parents=True)
        (where / "accuracy").mkdir()
        (where / "performance" / "run_1" / "mlperf_log_summary.txt").write_text(
            "MLPerf Results Summary\nSUT name : X\n" + SUMMARY[scenario])
        (where / "accuracy" / "accuracy.txt").write_text(accuracy)
        if watts:
            (where / "performance" / "run_1" / "spl.txt").write_text("".join(
                f"Time,01-01-2024 00:00:0{n}.000,Watts,{w},Volts,230.0,Amps,1.0\n" for n, w in enumerate(watts)))


def _import(cli, *args: str):
    return cli_ok(cli, "run", "script", "import mlperf inference to-experiment _skip_checker", "--quiet", *args)


def _experiment(home: Path, name: str) -> Path:
    return home / "repos" / "local" / "experiment" / name


def test_colmind_tree(cli, cm_home, tmp_path):
    out = tmp_path / "mlperf-results" / "submission"
    make_tree(out, "open", "colmind", "digits", list(SUMMARY), mapping={"digits": "resnet"})
    res = _import(cli, f"--results_dir={tmp_path / 'mlperf-results'}")
    assert "imported 3 MLPerf inference result(s) into 6 experiment(s)" in res.stdout
    assert "skipped open/colmind/results/box/digits/MultiStream: performance run is INVALID" in res.stdout
    exp = _experiment(cm_home, "mlperf-inference--local--edge--open--image-classification--singlestream")
    (run,) = run_dirs(exp)
    (rec,) = records(run)
    assert rec["Result"] == pytest.approx(0.06) and rec["Units"] == rec["Result_Units"] == "Latency (ms)"
    assert rec["Accuracy"] == 98.444 and rec["Accuracy_div_100"] == 0.98444
    assert rec["Organization"] == "colmind" and rec["MlperfModel"] == "resnet" and rec["Model"] == "digits"
    assert rec["SystemName"] == "box (2 cores)" and rec["host_processor_core_count"] == 2
    assert rec["Location"] == "open/colmind/results/box/digits/SingleStream" and rec["has_power"] is False
    tags = json.loads((exp / "_cm.json").read_text())["tags"]
    assert tags == ["mlperf", "mlperf-inference", "local", "edge", "open", "image-classification", "singlestream",
                    "inference"]
    every = _experiment(cm_home, "mlperf-inference--all--edge--open--image-classification--singlestream")
    assert records(run_dirs(every)[0])[0]["uid"] == rec["uid"]
    assert not _experiment(cm_home, "mlperf-inference--local--edge--open--image-classification--multistream").exists()


def test_official_tree_with_power_and_new_models(cli, cm_home, tmp_path):
    root = tmp_path / "inference_results_v4.1"
    make_tree(root, "closed", "Acme", "bert-99", ["Offline"], watts=[100.0, 110.0, 120.0],
              accuracy="{'exact_match': 83.2, 'f1': 90.874}\nhash=1\n")
    make_tree(root, "closed", "Acme", "llama3.1-405b", ["Server"], accuracy="ROUGE1: 44.54  ROUGE2: 22.1\n")
    res = _import(cli, f"--results_dir={root}", "--git_url=https://github.com/mlcommons/inference_results_v4.1")
    assert "imported 2 MLPerf inference result(s)" in res.stdout
    exp = _experiment(cm_home, "mlperf-inference--v4.1--edge--closed-power--language-processing--offline")
    (rec,) = records(run_dirs(exp)[0])
    assert rec["Result"] == 2500.5 and rec["Result_Power"] == 110.0 and rec["Result_Power_Units"] == "Watts"
    assert rec["Inference_per_Joule"] == pytest.approx(2500.5 / 110.0)
    assert rec["Accuracy"] == 90.874 and rec["Accuracy_F1"] == 90.874  # bert's metric is F1
    assert rec["url"] == "https://github.com/mlcommons/inference_results_v4.1/tree/master/" + rec["Location"]
    llama = _experiment(cm_home, "mlperf-inference--v4.1--edge--closed--language-processing--server")
    assert records(run_dirs(llama)[0])[0]["Accuracy_ROUGE2"] == 22.1


CSV_HEADER = ("Organization,Availability,Division,SystemType,SystemName,Platform,Model,MlperfModel,Scenario,Result,"
              "Accuracy,number_of_nodes,Location,framework,version,inferred,has_power,Units\n")
CSV_ROWS = [
    'NVIDIA,available,closed,"datacenter,edge",Big,H100_TRT,resnet50,resnet,Offline,348572.0,acc: 76.078,1,'
    'closed/NVIDIA/results/H100_TRT/resnet50/Offline,TensorRT,v4.1,False,True,Samples/s\n',
    'NVIDIA,available,closed,"datacenter,edge",Big,H100_TRT,resnet50,resnet,Offline,2268.11,acc: 76.078,1,'
    'closed/NVIDIA/results/H100_TRT/resnet50/Offline,TensorRT,v4.1,False,True,Watts\n',
    'Foo,available,open,edge,Small,Pi,mixtral-8x7b,mixtral-8x7b,SingleStream,12.5,,1,'
    'open/Foo/results/Pi/mixtral-8x7b/SingleStream,torch,v4.1,False,False,Latency (ms)\n',
]


def test_checker_summary_csv_merges_power_rows(cli, cm_home, tmp_path):
    csv_file = tmp_path / "summary.csv"
    csv_file.write_text(CSV_HEADER + "".join(CSV_ROWS))
    _import(cli, f"--summary_csv={csv_file}")
    exp = _experiment(cm_home, "mlperf-inference--v4.1--datacenter--closed-power--image-classification--offline")
    (rec,) = records(run_dirs(exp)[0])  # one record, not a performance row and a power row
    assert rec["Result"] == 348572 and rec["Result_Power"] == 2268.11 and rec["Units"] == "Samples/s"
    assert rec["Accuracy"] == 76.078 and rec["Inference_per_Joule"] == pytest.approx(348572 / 2268.11)
    other = _experiment(cm_home, "mlperf-inference--all--edge--open--language-processing--singlestream")
    (mix,) = records(run_dirs(other)[0])
    assert mix["Accuracy"] is None and "Accuracy_div_100" not in mix


def test_reimport_changes_nothing_and_keeps_derived_keys(cli, cm_home, tmp_path):
    csv_file = tmp_path / "summary.csv"
    csv_file.write_text(CSV_HEADER + "".join(CSV_ROWS))
    _import(cli, f"--summary_csv={csv_file}")
    exp = _experiment(cm_home, "mlperf-inference--v4.1--datacenter--closed-power--image-classification--offline")
    result_file = run_dirs(exp)[0] / "cm-result.json"
    first = result_file.read_bytes()
    res = _import(cli, f"--summary_csv={csv_file}")
    assert "4 unchanged record(s); 0 file(s) written" in res.stdout and result_file.read_bytes() == first
    data = json.loads(first)
    data[0]["cost_per_inference"] = 0.5  # a derived metric added later
    result_file.write_text(json.dumps(data))
    _import(cli, f"--summary_csv={csv_file}")
    (rec,) = records(run_dirs(exp)[0])
    assert rec["cost_per_inference"] == 0.5 and rec["uid"] == data[0]["uid"]


def test_import_into_an_upstream_results_repository_keeps_its_uids(cli, cm_home, tmp_path):
    import shutil

    source = Path("/work/shared/fixtures/cm4mlperf-results-v3.1")
    if not source.is_dir():
        pytest.skip("the cm4mlperf-results sample is not available")
    copy = tmp_path / "results"
    shutil.copytree(source, copy)
    cli_ok(cli, "import", "repo", f"--path={copy}")
    name = "mlperf-inference--v3.1--datacenter--closed-power--image-classification--offline"
    (old_run,) = run_dirs(copy / "experiment" / name)
    old = records(old_run)
    target = old[0]
    csv_file = tmp_path / "summary.csv"
    import csv

    with open(csv_file, "w", newline="") as handle:
        handle.write(CSV_HEADER)
        row = [target["Organization"], "available", "closed", "datacenter", target["SystemName"], target["Platform"],
               target["Model"], target["MlperfModel"], target["Scenario"], target["Result"], target["Accuracy"], 1,
               target["Location"], "x", "v3.1", False, True]
        csv.writer(handle).writerow(row + ["Samples/s"])
        csv.writer(handle).writerow(row[:9] + [target["Result_Power"]] + row[10:] + ["Watts"])
    _import(cli, f"--summary_csv={csv_file}", "--target_repo=mlcommons@cm4mlperf-results")
    new = records(old_run)
    same = [r for r in old if (r["Location"], r["Scenario"]) == (target["Location"], target["Scenario"])]
    assert len(new) == len(old) - len(same) + 1  # updated in place (the sample's duplicates of it merged)
    assert new[0]["uid"] == target["uid"] and new[0]["Inference_per_Joule"] == target["Inference_per_Joule"]


@pytest.mark.parametrize(("model", "task"), [
    ("resnet", "image-classification"), ("bert-99.9", "language-processing"), ("dlrm-v2-99", "recommendation"),
    ("3d-unet-99.9", "image-segmentation"), ("llama3.1-405b", "language-processing"), ("rgat", "graph-neural-network"),
    ("stable-diffusion-xl", "text-to-image"), ("brand-new", "other"),
])
def test_tasks(model, task):
    assert task_of(model) == task


@pytest.mark.parametrize(("text", "expected"), [
    (76.078, {"Accuracy": 76.078, "Accuracy_div_100": 0.76078}),
    ("acc: 76.078", {"Accuracy": 76.078, "Accuracy_acc": 76.078, "Accuracy_div_100": 0.76078}),
    ("", {}),
    ("mAP=37.552%", {"Accuracy": 37.552, "Accuracy_mAP": 37.552, "Accuracy_div_100": 0.37552}),
])
def test_accuracy_fields(text, expected):
    assert accuracy_fields(text) == expected
