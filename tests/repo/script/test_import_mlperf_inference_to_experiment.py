"""import-mlperf-inference-to-experiment: an MLPerf checker summary.csv and submission trees into
experiment records (one per system x model x scenario, power merged, stable uids, idempotent)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from recipe_fixtures import assert_valid_meta, load_customize  # noqa: E402

from colmind.api import access  # noqa: E402

RECIPE = "import-mlperf-inference-to-experiment"
TAGS = "import,mlperf,inference,mlperf-inference,experiment,2experiment,to-experiment"
FIXTURES = Path(__file__).parent / "fixtures"
CSV = FIXTURES / "mlperf-inference-summary-v5.0.csv"
TREE = FIXTURES / "colmind-submission"
PUBLISHED = Path("/work/shared/fixtures/cm4mlperf-results-v3.1/experiment")
EXPERIMENT_UID = "a0a2d123ef064bcb"


def _pkg(name: str) -> ModuleType:
    load_customize(RECIPE)._package()
    return sys.modules[f"colmind_recipe_import_mlperf_inference.{name}"]


def run_import(*variations: str, **inputs: Any) -> dict[str, Any]:
    tags = ",".join([TAGS, *(f"_{v}" for v in variations)])
    return access({"action": "run", "automation": "script", "tags": tags, "quiet": True, **inputs})


def import_ok(*variations: str, **inputs: Any) -> dict[str, Any]:
    r = run_import(*variations, **inputs)
    assert r["return"] == 0, r.get("error")
    return r


def experiments(home: Path) -> Path:
    return home / "repos" / "local" / "experiment"


def records_of(home: Path, name: str) -> list[dict[str, Any]]:
    """Every record of an experiment, read as CM's GUI reads them (any run folder's cm-result.json)."""
    out: list[dict[str, Any]] = []
    for path in sorted((experiments(home) / name).glob("*/cm-result.json")):
        out += json.loads(path.read_text())
    return out


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


# -- meta ------------------------------------------------------------------------------------
def test_meta_has_upstreams_tags_and_inputs() -> None:
    meta = assert_valid_meta(RECIPE, TAGS.split(","))
    assert meta["input_mapping"]["target_repo"] == "CM_IMPORT_MLPERF_INFERENCE_TARGET_REPO"
    assert meta["input_mapping"]["submitter"] == "CM_MLPERF_SUBMITTER"
    for key in ("summary_csv", "submission_dir", "results_dir", "version"):
        assert key in meta["input_mapping"]
    assert meta["variations"]["skip_checker"]["env"] == {"CM_SKIP_SUBMISSION_CHECKER": "yes"}


# -- summary.csv -----------------------------------------------------------------------------
@pytest.fixture()
def csv_imported(cm_home: Path) -> dict[str, Any]:
    return import_ok(summary_csv=str(CSV))


def test_csv_import_counts_and_skipped_rows(csv_imported: dict[str, Any]) -> None:
    env = csv_imported["new_env"]
    assert env["CM_IMPORT_MLPERF_INFERENCE_RECORDS"] == "9"
    assert env["CM_IMPORT_MLPERF_INFERENCE_SKIPPED"] == "4"
    skipped = csv_imported["new_state"]["mlperf_inference_import"]["skipped"]
    assert [s.split(": ", 1)[1] for s in skipped] == [
        "Result 'N/A' is not a number",
        "unknown Scenario 'Batch' (expected one of SingleStream, MultiStream, Server, Offline)",
        "11 cells, the header has 31", "empty Organization"]
    assert all(s.startswith(f"{CSV}:") for s in skipped)  # file:line of each


def test_power_rows_are_merged_into_the_performance_record(csv_imported: dict[str, Any], cm_home: Path) -> None:
    (rec,) = records_of(cm_home, "mlperf-inference--v5.0--datacenter--closed-power--image-classification--offline")
    assert (rec["Result"], rec["Result_Units"], rec["Units"]) == (91234.5, "Samples/s", "Samples/s")
    assert (rec["Result_Power"], rec["Result_Power_Units"]) == (612.25, "Watts")
    assert rec["Inference_per_Joule"] == pytest.approx(91234.5 / 612.25)
    assert rec["has_power"] is True and rec["design_power_watts"] == 1200
    (single,) = records_of(cm_home, "mlperf-inference--v5.0--edge--closed-power--image-classification--singlestream")
    assert (single["Result"], single["Result_Power"], single["Result_Power_Units"]) == (0.412, 25.5, "millijoules")
    assert single["Inference_per_Joule"] == pytest.approx(1000 / 25.5)
    (multi,) = records_of(cm_home, "mlperf-inference--v5.0--edge--closed-power--image-classification--multistream")
    assert multi["Inference_per_Joule"] == pytest.approx(8 * 1000 / 160.0)
    every = [r for d in experiments(cm_home).iterdir() for r in records_of(cm_home, d.name)]
    assert every and all(r["Result"] is not None for r in every)  # no split power-only rows


def test_string_accuracy_is_parsed(csv_imported: dict[str, Any], cm_home: Path) -> None:
    recs = records_of(cm_home, "mlperf-inference--v5.0--datacenter--closed--image-classification--offline")
    assert (recs[0]["Accuracy"], recs[0]["Accuracy_div_100"], recs[0]["Accuracy_text"]) == \
        (76.078, 0.76078, "acc: 76.078")
    (llm,) = records_of(cm_home, "mlperf-inference--v5.0--datacenter--closed--language-processing--offline")
    assert llm["Accuracy"] == 44.4312 and llm["Accuracy_ROUGE2"] == 22.0352
    assert llm["Accuracy_TOKENS_PER_SAMPLE"] == 294.45
    (empty,) = records_of(cm_home, "mlperf-inference--v5.0--datacenter--open--language-processing--server")
    assert empty["Accuracy"] is None and "Accuracy_div_100" not in empty


def test_unknown_model_is_kept(csv_imported: dict[str, Any], cm_home: Path) -> None:
    (rec,) = records_of(cm_home, "mlperf-inference--v5.0--datacenter--open--unknown--offline")
    assert (rec["Model"], rec["MlperfModel"], rec["Result"]) == ("gemma-2-9b", "gemma-2-9b", 1523.4)


def test_names_tags_and_artifact_meta_as_upstream(csv_imported: dict[str, Any], cm_home: Path) -> None:
    names = {p.name for p in experiments(cm_home).iterdir()}
    assert "mlperf-inference--v5.0--datacenter--closed-network--language-processing--server" in names
    assert "mlperf-inference--all--datacenter--open--unknown--offline" in names  # "datacenter,edge"
    assert len(names) == 18 and len([n for n in names if "--all--" in n]) == 9
    name = "mlperf-inference--v5.0--datacenter--closed-power--image-classification--offline"
    meta = json.loads((experiments(cm_home) / name / "_cm.json").read_text())
    assert meta["automation_alias"] == "experiment" and meta["automation_uid"] == EXPERIMENT_UID
    assert meta["alias"] == name
    assert meta["tags"] == ["mlperf", "mlperf-inference", "v5.0", "datacenter", "closed-power",
                            "image-classification", "offline", "inference", "power"]
    found = access({"action": "find", "automation": "experiment",
                    "tags": "mlperf-inference,v5.0,closed-power,offline,power"})
    assert [a.alias for a in found["list"]] == [name]
    run_dirs = [p for p in (experiments(cm_home) / name).iterdir() if p.is_dir()]
    assert len(run_dirs) == 1 and (run_dirs[0] / "cm-result.json").is_file()


def test_the_same_uid_in_all_and_in_the_version(csv_imported: dict[str, Any], cm_home: Path) -> None:
    tail = "datacenter--closed--image-classification--server"
    (a,) = records_of(cm_home, f"mlperf-inference--all--{tail}")
    (v,) = records_of(cm_home, f"mlperf-inference--v5.0--{tail}")
    assert a == v and len(a["uid"]) == 16
    assert a["url"] == ("https://github.com/mlcommons/inference_results_v5.0/tree/master/"
                        "closed/NVIDIA/results/DGX-H100_H100-SXM-80GBx8_TRT/resnet50/Server")


def test_records_have_the_keys_and_types_of_the_published_records(csv_imported: dict[str, Any],
                                                                   cm_home: Path) -> None:
    if not PUBLISHED.is_dir():
        pytest.skip(f"{PUBLISHED} (the cm4mlperf-results sample) is not here")
    name = "datacenter--closed-power--image-classification--offline"
    (ours,) = records_of(cm_home, f"mlperf-inference--v5.0--{name}")
    theirs = []
    for path in sorted((PUBLISHED / f"mlperf-inference--v3.1--{name}").glob("*/cm-result.json")):
        theirs += json.loads(path.read_text())
    assert theirs
    missing = set(theirs[0]) - set(ours)
    assert not missing
    for key, value in theirs[0].items():
        if value is not None and value != "":
            assert isinstance(ours[key], type(value)) or {type(value), type(ours[key])} <= {int, float}, key


# -- re-import -------------------------------------------------------------------------------
def test_reimport_changes_nothing(csv_imported: dict[str, Any], cm_home: Path) -> None:
    before = snapshot(experiments(cm_home))
    again = import_ok(summary_csv=str(CSV))
    assert snapshot(experiments(cm_home)) == before  # bytes and mtimes
    done = again["new_state"]["mlperf_inference_import"]["experiments"]
    assert sum(e["unchanged"] for e in done) == 18 and not any(e["file_changed"] for e in done)


def test_reimport_keeps_derived_keys_and_restores_imported_ones(csv_imported: dict[str, Any],
                                                                cm_home: Path) -> None:
    name = "mlperf-inference--v5.0--datacenter--closed--image-classification--offline"
    (path,) = (experiments(cm_home) / name).glob("*/cm-result.json")
    records = json.loads(path.read_text())
    uid = records[0]["uid"]
    records[0]["cost_per_million_inferences"] = 0.42  # a derived metric added by hand
    edited = json.dumps(records, indent=2, sort_keys=True) + "\n"
    path.write_text(edited)
    import_ok(summary_csv=str(CSV))
    assert path.read_text() == edited
    records[0]["Result"] = 1.0  # an imported key edited by hand comes back from the source
    path.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n")
    import_ok(summary_csv=str(CSV))
    assert path.read_text() == edited
    (rec,) = json.loads(path.read_text())
    assert rec["uid"] == uid and rec["cost_per_million_inferences"] == 0.42


def test_a_changed_result_updates_its_record_in_place(cm_home: Path, tmp_path: Path) -> None:
    import_ok(summary_csv=str(CSV))
    name = "mlperf-inference--v5.0--datacenter--closed--image-classification--server"
    (old,) = records_of(cm_home, name)
    changed = tmp_path / "summary.csv"
    changed.write_text(CSV.read_text().replace(",584197.0,", ",600001.0,"))
    r = import_ok(summary_csv=str(changed))
    (new,) = records_of(cm_home, name)
    assert new["uid"] == old["uid"] and new["Result"] == 600001
    done = {e["name"]: e for e in r["new_state"]["mlperf_inference_import"]["experiments"]}
    assert (done[name]["updated"], done[name]["new"]) == (1, 0)


def test_upstream_split_power_records_are_merged_and_keep_their_uid(cm_home: Path) -> None:
    """Records written by upstream's importer (random uids, power as a second record) are
    recognised by their identity: one record remains, with the first one's uid and users' keys;
    a second import changes nothing."""
    name = "mlperf-inference--v5.0--datacenter--closed-power--image-classification--offline"
    run_dir = experiments(cm_home) / name / "2024-01-01.00-00-00.000001"
    run_dir.mkdir(parents=True)
    common = {"version": "v5.0", "Division": "closed", "Organization": "Acme", "Platform": "AcmeBox9000_MaxQ",
              "Model": "resnet50", "Scenario": "Offline", "has_power": True}
    perf = {**common, "uid": "0123456789abcdef", "Result": 90000, "Result_Units": "Samples/s", "my_note": "x"}
    power = {**common, "uid": "fedcba9876543210", "Result": None, "Result_Power": 600.0, "Result_Units": "Watts"}
    other = {"uid": "1111111111111111", "something": "else"}
    (run_dir / "cm-result.json").write_text(json.dumps([perf, power, other]))
    import_ok(summary_csv=str(CSV))
    recs = json.loads((run_dir / "cm-result.json").read_text())
    assert len(recs) == 2 and recs[1] == other
    merged = recs[0]
    assert merged["my_note"] == "x" and merged["Result"] == 91234.5 and merged["Result_Power"] == 612.25
    assert merged["Result_Units"] == "Samples/s" and merged["uid"] == "0123456789abcdef"  # links stay valid
    assert len(list((experiments(cm_home) / name).iterdir())) == 2  # _cm.json + the one run folder
    before = (run_dir / "cm-result.json").read_bytes()
    import_ok(summary_csv=str(CSV))
    assert (run_dir / "cm-result.json").read_bytes() == before


def test_submitter_filter(cm_home: Path) -> None:
    r = import_ok(summary_csv=str(CSV), submitter="Acme")
    assert r["new_env"]["CM_IMPORT_MLPERF_INFERENCE_RECORDS"] == "3"
    assert all("--closed-power--" in p for p in r["new_env"]["CM_IMPORT_MLPERF_INFERENCE_EXPERIMENTS"].split(";"))


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("", "no header line"),
    ("a,b,c\n1,2,3\n", "not an MLPerf checker summary (no column Organization, Division, Scenario, Result)"),
    ("Organization,Division,Scenario,Result\nX,closed,Offline,abc\n", "no MLPerf inference result to import"),
])
def test_malformed_csv_is_a_clear_error(cm_home: Path, tmp_path: Path, text: str, expected: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    r = run_import(summary_csv=str(bad))
    assert r["return"] == 1 and expected in r["error"], r
    assert not experiments(cm_home).exists()


def test_missing_sources_are_clear_errors(cm_home: Path, tmp_path: Path) -> None:
    r = run_import()
    assert r["return"] == 1 and "nothing to import" in r["error"]
    r = run_import(summary_csv=str(tmp_path / "nope.csv"))
    assert r["return"] == 1 and "cannot read" in r["error"]
    r = run_import(submission_dir=str(tmp_path / "nope"))
    assert r["return"] == 1 and "not a folder" in r["error"]
    r = run_import("skip_checker")  # upstream: the summary.csv in the current folder
    assert r["return"] == 1 and str(tmp_path / "summary.csv") in r["error"]


def test_skip_checker_reads_the_summary_csv_in_the_current_folder(cm_home: Path, tmp_path: Path) -> None:
    shutil.copy(CSV, tmp_path / "summary.csv")
    r = import_ok("skip_checker")
    assert r["new_env"]["CM_IMPORT_MLPERF_INFERENCE_RECORDS"] == "9"


def test_an_unreadable_result_file_is_an_error_and_left_alone(cm_home: Path) -> None:
    import_ok(summary_csv=str(CSV))
    name = "mlperf-inference--v5.0--datacenter--closed--image-classification--server"
    (path,) = (experiments(cm_home) / name).glob("*/cm-result.json")
    path.write_text("{not json")
    r = run_import(summary_csv=str(CSV))
    assert r["return"] == 1 and "not readable JSON" in r["error"] and path.read_text() == "{not json"


# -- submission trees --------------------------------------------------------------------------
def test_colmind_submission_tree(cm_home: Path) -> None:
    r = import_ok("skip_checker", submission_dir=str(TREE))
    assert r["new_env"]["CM_IMPORT_MLPERF_INFERENCE_RECORDS"] == "4"
    expected = {"Offline": ("Samples/s", 253964), "Server": ("Queries/s", 14973.4),
                "SingleStream": ("Latency (ms)", 0.058667), "MultiStream": ("Latency (ms)", 0.106408)}
    for scenario, (units, value) in expected.items():
        (rec,) = records_of(cm_home, f"mlperf-inference--local--edge--open--image-classification--{scenario.lower()}")
        assert (rec["Units"], rec["Result"], rec["Result_Units"]) == (units, value, units)
        assert (rec["Model"], rec["MlperfModel"], rec["Organization"], rec["Platform"]) == \
            ("digits", "resnet", "colmind", "testbox")
        assert (rec["Accuracy"], rec["Accuracy_div_100"]) == (98.444, 0.98444)
        assert rec["Location"] == f"open/colmind/results/testbox/digits/{scenario}"
        assert rec["url"] == (TREE / rec["Location"]).resolve().as_uri()
        assert rec["has_power"] is False and "errors" not in rec and rec["version"] == "local"
        assert records_of(cm_home, f"mlperf-inference--all--edge--open--image-classification--{scenario.lower()}") \
            == [rec]
    before = snapshot(experiments(cm_home))
    import_ok("skip_checker", submission_dir=str(TREE))
    assert snapshot(experiments(cm_home)) == before


def test_the_checker_runs_first_and_its_errors_are_counted(cm_home: Path, tmp_path: Path) -> None:
    """The fixture tree holds only what the importer reads, so the checker finds missing files:
    the import still happens, each record says how many errors its folder had."""
    r = import_ok(submission_dir=str(TREE))
    verdict = r["new_state"]["mlperf_inference_import"]["checker"]
    assert len(verdict) == 1
    count = re.match(r"checker: (\d+) error\(s\) in ", verdict[0])
    assert count and int(count.group(1)) > 0, verdict
    (rec,) = records_of(cm_home, "mlperf-inference--local--edge--open--image-classification--offline")
    assert isinstance(rec["errors"], int) and rec["errors"] > 0


def _official_power_tree(root: Path) -> Path:
    """An official-layout closed-division tree with one power result (PTDaemon samples)."""
    base = root / "closed" / "Acme"
    sdir = base / "results" / "box_MaxQ" / "resnet50" / "Offline"
    run = sdir / "performance" / "run_1"
    run.mkdir(parents=True)
    (base / "systems").mkdir()
    (base / "systems" / "box_MaxQ.json").write_text(json.dumps({
        "submitter": "Acme", "status": "available", "system_name": "Acme Box MaxQ", "system_type": "datacenter",
        "number_of_nodes": "1", "accelerators_per_node": "2", "framework": "AcmeRT"}))
    entries = [("loadgen_version", "4.1.23 @ abc"), ("effective_qsl_rng_seed", 1), ("result_validity", "VALID"),
               ("result_samples_per_second", 1000.5), ("result_query_count", 1),
               ("power_begin", "07-18-2024 10:00:00.000"), ("power_end", "07-18-2024 10:00:10.000")]
    (run / "mlperf_log_detail.txt").write_text("".join(
        f":::MLLOG {json.dumps({'key': k, 'value': v})}\n" for k, v in entries))
    (run / "spl.txt").write_text(
        "Time,07-18-2024 09:59:59.000,Watts,900.0,Volts,230\n"  # before power_begin: not counted
        "Time,07-18-2024 10:00:01.000,Watts,100.0,Volts,230\n"
        "Time,07-18-2024 10:00:05.000,Watts,300.0,Volts,230\n"
        "garbage line\n")
    (sdir / "accuracy").mkdir()
    (sdir / "accuracy" / "accuracy.txt").write_text("accuracy=76.100%, good=38050, total=50000\n")
    return root


def test_official_results_tree_with_power(cm_home: Path, tmp_path: Path) -> None:
    tree = _official_power_tree(tmp_path / "inference_results_v4.1")
    r = import_ok("skip_checker", results_dir=str(tree), git_url="https://github.com/mlcommons/inference_results_v4.1")
    assert r["new_env"]["CM_IMPORT_MLPERF_INFERENCE_RECORDS"] == "1"
    (rec,) = records_of(cm_home, "mlperf-inference--v4.1--datacenter--closed-power--image-classification--offline")
    assert (rec["Result"], rec["Result_Power"], rec["Result_Power_Units"]) == (1000.5, 200.0, "Watts")
    assert rec["Inference_per_Joule"] == pytest.approx(1000.5 / 200.0)
    assert (rec["Accuracy"], rec["total_accelerators"], rec["MlperfModel"]) == (76.1, 2, "resnet50")
    assert rec["url"] == ("https://github.com/mlcommons/inference_results_v4.1/tree/master/"
                          "closed/Acme/results/box_MaxQ/resnet50/Offline")


def test_invalid_runs_and_odd_folders_are_skipped_with_reasons(cm_home: Path, tmp_path: Path) -> None:
    tree = tmp_path / "t"
    shutil.copytree(TREE, tree)
    base = tree / "open" / "colmind" / "results" / "testbox" / "digits"
    detail = base / "Server" / "performance" / "run_1" / "mlperf_log_detail.txt"
    detail.write_text(detail.read_text().replace('"VALID"', '"INVALID"'))
    shutil.rmtree(base / "Offline" / "performance")
    (base / "Batch").mkdir()
    r = import_ok("skip_checker", submission_dir=str(tree))
    assert r["new_env"]["CM_IMPORT_MLPERF_INFERENCE_RECORDS"] == "2"
    assert sorted(r["new_state"]["mlperf_inference_import"]["skipped"]) == [
        "open/colmind/results/testbox/digits/Batch: unknown scenario folder 'Batch'",
        "open/colmind/results/testbox/digits/Offline: no performance/run_1/mlperf_log_detail.txt or "
        "mlperf_log_summary.txt",
        "open/colmind/results/testbox/digits/Server: performance run is INVALID"]


# -- the modules -------------------------------------------------------------------------------
@pytest.mark.parametrize(("cell", "expected"), [
    ("True", True), ("False", False), ("12", 12), ("12.0", 12), ("0.5", 0.5), ("1e3", 1000.0),
    ("nan", "nan"), ("inf", "inf"), ("N/A", "N/A"), ("", ""), ("v4.1", "v4.1"), (3, 3),
])
def test_cells_are_typed_as_upstream(cell: Any, expected: Any) -> None:
    got = _pkg("values").typed(cell)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(("cell", "fields"), [
    (76.078, {"Accuracy": 76.078, "Accuracy_div_100": 0.76078}),
    ("76.078", {"Accuracy": 76.078, "Accuracy_div_100": 0.76078}),
    ("acc: 76.078", {"Accuracy": 76.078, "Accuracy_div_100": 0.76078, "Accuracy_acc": 76.078,
                     "Accuracy_text": "acc: 76.078"}),
    ("mAP: 37.55", {"Accuracy": 37.55, "Accuracy_div_100": 0.3755, "Accuracy_mAP": 37.55,
                    "Accuracy_text": "mAP: 37.55"}),
    ("WER: -1", {"Accuracy": -1, "Accuracy_WER": -1, "Accuracy_text": "WER: -1"}),
    ("", {"Accuracy": None}), (None, {"Accuracy": None}),
    ("not measured", {"Accuracy": None, "Accuracy_text": "not measured"}),
])
def test_accuracy_cells(cell: Any, fields: dict[str, Any]) -> None:
    assert _pkg("values").accuracy_fields(cell) == fields


@pytest.mark.parametrize(("record", "version", "name"), [
    ({"SystemType": "datacenter", "Division": "closed", "MlperfModel": "resnet", "Scenario": "Offline"},
     "v4.0", "mlperf-inference--v4.0--datacenter--closed--image-classification--offline"),
    ({"SystemType": "edge,datacenter", "Division": "Open", "has_power": True, "MlperfModel": "rgat",
      "Scenario": "SingleStream"}, "all", "mlperf-inference--all--edge--open-power--graph-neural-network--singlestream"),
    ({"SystemType": "datacenter", "Division": "network", "has_power": True, "MlperfModel": "bert-99",
      "Scenario": "Server"}, "v3.1", "mlperf-inference--v3.1--datacenter--closed-network--language-processing--server"),
    ({"SystemType": "edge", "Division": "closed", "MlperfModel": "New--Model X", "Scenario": "Offline"},
     "v5.1", "mlperf-inference--v5.1--edge--closed--unknown--offline"),
])
def test_experiment_names(record: dict[str, Any], version: str, name: str) -> None:
    assert _pkg("naming").experiment_name(record, version) == name


def test_uids_depend_on_the_result_identity_only() -> None:
    records = _pkg("records")
    row = {"version": "v5.0", "Division": "closed", "Organization": "A", "Platform": "P", "Model": "m",
           "Scenario": "Offline", "Result": 1}
    uid = records.record_uid(records.identity(row, "v5.0"))
    assert uid == records.record_uid(records.identity({**row, "Result": 2, "notes": "x"}, "v5.0"))
    for key in ("Division", "Organization", "Platform", "Model", "Scenario"):
        assert records.record_uid(records.identity({**row, key: "other"}, "v5.0")) != uid
    assert records.record_uid(records.identity(row, "v5.1")) != uid


def test_concurrent_imports_lose_and_duplicate_nothing(cm_home: Path) -> None:
    """Two processes import the same summary at once into one repository."""
    import subprocess

    code = ("import sys; from colmind.api import access; "
            f"r = access({{'action': 'run', 'automation': 'script', 'tags': {TAGS!r}, 'quiet': True, "
            f"'summary_csv': {str(CSV)!r}}}); sys.exit(r['return'])")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    names = sorted(p.name for p in experiments(cm_home).iterdir())
    assert len(names) == 18
    for name in names:
        run_dirs = [p for p in (experiments(cm_home) / name).iterdir() if p.is_dir()]
        assert len(run_dirs) == 1, name
        uids = [r["uid"] for r in records_of(cm_home, name)]
        assert len(uids) == len(set(uids)) >= 1


def test_a_tree_with_summary_logs_only_gives_the_same_results(cm_home: Path, tmp_path: Path) -> None:
    tree = tmp_path / "t"
    shutil.copytree(TREE, tree)
    for detail in tree.rglob("mlperf_log_detail.txt"):
        detail.unlink()
    import_ok("skip_checker", submission_dir=str(tree), version="v9.9")
    for scenario, value in (("Offline", 253964), ("Server", 14973.38), ("SingleStream", 0.058667),
                            ("MultiStream", 0.106408)):
        (rec,) = records_of(cm_home, f"mlperf-inference--v9.9--edge--open--image-classification--{scenario.lower()}")
        assert rec["Result"] == pytest.approx(value) and "loadgen_version" not in rec


@pytest.mark.parametrize(("folder", "inputs", "version"), [
    ("inference_results_v4.1", {}, "v4.1"), ("my-copy", {}, "local"), ("my-copy", {"version": "4.1"}, "v4.1"),
])
def test_tree_versions(cm_home: Path, tmp_path: Path, folder: str, inputs: dict[str, str], version: str) -> None:
    tree = _official_power_tree(tmp_path / folder)
    import_ok("skip_checker", results_dir=str(tree), **inputs)
    (rec,) = records_of(cm_home, f"mlperf-inference--{version}--datacenter--closed-power--image-classification--offline")
    assert rec["version"] == version


@pytest.mark.ml
def test_a_real_run_is_checked_and_imported(cm_home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """run-mlperf-inference's program on digits (Offline, both modes), then the import with the checker."""
    from mlperf_fixtures import RUN_MLPERF, run_program, shared_digits

    model = shared_digits(tmp_path_factory)
    out = tmp_path_factory.mktemp("mlperf") / "out"
    proc = run_program(RUN_MLPERF, "--model", "digits", "--model-path", str(model.model_path),
                       "--dataset", str(model.dataset_dir), "--reference-accuracy", str(model.reference_accuracy),
                       "--scenario", "Offline", "--mode", "all", "--execution-mode", "test",
                       "--output-dir", str(out), "--system-name", "box", "--timeout", "120", timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = import_ok(submission_dir=str(out))
    assert r["new_state"]["mlperf_inference_import"]["checker"] == [f"checker: 0 error(s) in {out / 'submission'}"]
    (rec,) = records_of(cm_home, "mlperf-inference--local--edge--open--image-classification--offline")
    row = json.loads((out / "summary.json").read_text())["scenarios"][0]
    assert rec["Result"] == row["value"] and rec["errors"] == 0
    assert rec["Accuracy"] == pytest.approx(100 * row["accuracy"], abs=0.001)


def test_a_git_checkout_gives_its_remote_and_branch(cm_home: Path, tmp_path: Path) -> None:
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    tree = _official_power_tree(tmp_path / "inference_results_v4.1")
    for args in (["init", "-q", "-b", "main"], ["remote", "add", "origin", "https://github.com/x/results.git"]):
        subprocess.run(["git", "-C", str(tree), *args], check=True, capture_output=True)
    import_ok("skip_checker", results_dir=str(tree))
    (rec,) = records_of(cm_home, "mlperf-inference--v4.1--datacenter--closed-power--image-classification--offline")
    assert rec["git_url"] == "https://github.com/x/results"
    assert rec["url"] == "https://github.com/x/results/tree/main/closed/Acme/results/box_MaxQ/resnet50/Offline"
    inner = _official_power_tree(tree / "sub" / "copy")  # a tree inside another checkout: not its URL
    import_ok("skip_checker", results_dir=str(inner), version="v1.0")
    (rec,) = records_of(cm_home, "mlperf-inference--v1.0--datacenter--closed-power--image-classification--offline")
    assert rec["git_url"] == "" and rec["url"].startswith("file://")


def test_imported_and_published_records_load_through_the_experiment_automation(cm_home: Path, tmp_path: Path) -> None:
    """The published sample registered as a repository and our import: found by the same tags,
    their run folders and records read by the experiment automation's own loaders."""
    if not PUBLISHED.is_dir():
        pytest.skip(f"{PUBLISHED} (the cm4mlperf-results sample) is not here")
    from colmind.experiment import records as exp_records

    copy = tmp_path / "published"
    shutil.copytree(PUBLISHED.parent, copy)
    assert access({"action": "import", "automation": "repo", "path": str(copy)})["return"] == 0
    import_ok(summary_csv=str(CSV))
    found = access({"action": "find", "automation": "experiment",
                    "tags": "mlperf-inference,datacenter,closed-power,image-classification,offline,power"})
    names = sorted(a.alias for a in found["list"])
    assert names == [f"mlperf-inference--{v}--datacenter--closed-power--image-classification--offline"
                     for v in ("all", "v3.1", "v5.0")]
    for art in found["list"]:
        (run_dir,) = exp_records.run_folders(os.fspath(art.path))
        loaded = exp_records.load_records(run_dir)
        assert loaded and all(isinstance(r["uid"], str) and "Result_Power" in r for r in loaded)
        uid = loaded[-1]["uid"]
        assert exp_records.find_record([run_dir], uid) == (run_dir, loaded[-1])


def _json_reference(records: list[Any]) -> str:
    return json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_fast_dump_is_byte_identical_to_json_dumps() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    dump = _pkg("store").dump
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
    values = scalars | st.lists(scalars, max_size=3) | st.dictionaries(st.text(max_size=5), scalars, max_size=3)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.dictionaries(st.text(max_size=8), values, max_size=6), max_size=4))
    def same(records: list[dict[str, Any]]) -> None:
        assert dump(records) == _json_reference(records)

    same()
    published = sorted(PUBLISHED.glob("*/*/cm-result.json"))[:5] if PUBLISHED.is_dir() else []
    for path in published:
        data = json.loads(path.read_text())
        assert dump(data) == _json_reference(data)
