"""A submission tree (made by run-mlperf-inference) or an official MLCommons results tree ->
rows shaped like the MLPerf checker's summary.csv (one performance row per result, one power
row when the run has PTDaemon samples).

    <root>/<division>/<submitter>/systems/<system>.json
    <root>/<division>/<submitter>/results/<system>/<model>/<Scenario>/
        measurements.json, performance/run_1/mlperf_log_detail.txt [spl.txt], accuracy/accuracy.txt

``<root>`` may also be run-mlperf-inference's output folder (it holds ``submission/``). The
version is ``vX.Y`` for an official checkout named ``inference_results_vX.Y``, else ``local``
(``--version`` overrides both). The performance metric comes from the detail log, else the
summary log; runs that are not VALID are skipped with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from . import loadgen_log, power
from .rows import SCENARIOS, Row, Rows
from .values import typed

LOCAL_VERSION = "local"  # results of one's own runs, not of a published round
DIVISIONS = ("closed", "open", "network")
SYSTEM_COLUMNS = ("number_of_nodes", "host_processor_model_name", "host_processors_per_node",
                  "host_processor_core_count", "accelerator_model_name", "accelerators_per_node",
                  "framework", "operating_system")


def submission_root(given: Path) -> Path:
    return given / "submission" if (given / "submission").is_dir() else given


def _dirs(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")) if path.is_dir() else []


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def version_of(given: Path) -> str:
    """``vX.Y`` of an official checkout named ``inference_results_vX.Y``, else ``local``."""
    for part in reversed(given.resolve().parts):
        match = re.fullmatch(r"inference_results_v?(\d+\.\d+)", part)
        if match:
            return "v" + match.group(1)
    return LOCAL_VERSION


def read(given: Path, errors: dict[str, int] | None = None) -> Rows:
    """Rows of every result under the tree; ``errors``: checker error counts per Location (None:
    the tree was not checked, the rows get no ``errors`` column)."""
    root = submission_root(given)
    out = Rows(str(root))
    version = version_of(given)
    divisions = [d for d in _dirs(root) if d.name in DIVISIONS]
    if not divisions:
        out.skip(str(root), f"no division folder ({', '.join(DIVISIONS)}): not a submission tree")
    for division in divisions:
        for base in _dirs(division):
            read_submitter(out, root, base, errors)
    for _, row in out.rows:
        row["version"] = version
    return out


def read_submitter(out: Rows, root: Path, base: Path, errors: dict[str, int] | None) -> None:
    mapping = {str(k): str(v) for k, v in _json(base / "model_mapping.json").items()}
    for system_dir in _dirs(base / "results"):
        system = _json(base / "systems" / f"{system_dir.name}.json")
        if not system:
            out.skip(str(system_dir), f"no readable systems/{system_dir.name}.json")
            continue
        for model_dir in _dirs(system_dir):
            for sdir in _dirs(model_dir):
                location = sdir.relative_to(root).as_posix()
                if sdir.name not in SCENARIOS:
                    out.skip(location, f"unknown scenario folder {sdir.name!r}")
                    continue
                read_scenario(out, sdir, location, base_row(base, system, system_dir.name, model_dir.name,
                                                            mapping), errors)


def base_row(base: Path, system: dict[str, Any], platform: str, model: str,
             mapping: dict[str, str]) -> Row:
    """The columns every row of one system x model shares."""
    row: Row = {
        "Organization": str(system.get("submitter") or base.name), "Availability": system.get("status", ""),
        "Division": base.parent.name, "SystemType": system.get("system_type", ""),
        "SystemName": system.get("system_name") or platform, "Platform": platform, "Model": model,
        "MlperfModel": mapping.get(model, model), "notes": system.get("sw_notes", "") or "",
        "inferred": 0, "compliance": 0,
    }
    row.update({key: typed(system.get(key, "")) for key in SYSTEM_COLUMNS})
    nodes, per_node = row.get("number_of_nodes"), row.get("accelerators_per_node")
    if isinstance(nodes, int) and isinstance(per_node, int):
        row["total_accelerators"] = nodes * per_node
    return row


def run_values(run: Path, scenario: str) -> dict[str, Any] | None:
    """The run's LoadGen values: the detail log, else the summary log (None: neither)."""
    if (run / "mlperf_log_detail.txt").is_file():
        return loadgen_log.read_detail(run / "mlperf_log_detail.txt")
    if (run / "mlperf_log_summary.txt").is_file():
        return loadgen_log.read_summary(run / "mlperf_log_summary.txt", scenario)
    return None


def read_scenario(out: Rows, sdir: Path, location: str, shared: Row, errors: dict[str, int] | None) -> None:
    run = sdir / "performance" / "run_1"
    values = run_values(run, sdir.name)
    if values is None:
        out.skip(location, "no performance/run_1/mlperf_log_detail.txt or mlperf_log_summary.txt")
        return
    if values.get("result_validity") != "VALID":
        out.skip(location, f"performance run is {values.get('result_validity') or 'without a result'}")
        return
    found = loadgen_log.metric(sdir.name, values)
    if found is None:
        out.skip(location, f"no {sdir.name} result in the LoadGen logs")
        return
    measured = _json(sdir / "measurements.json")
    watts = power.power_metric(run, sdir.name, values)
    row: Row = {**shared, "Scenario": sdir.name, "Result": found[0], "Units": found[1],
                "Accuracy": loadgen_log.accuracy_text(sdir / "accuracy" / "accuracy.txt"),
                "Location": location, "has_power": watts is not None,
                "weight_data_types": measured.get("weight_data_types", "")}
    for key in ("loadgen_version", "test_datetime"):
        if values.get(key):
            row[key] = str(values[key]).split(" @ ")[0]
    if errors is not None:
        row["errors"] = errors.get(location, 0)
    out.add(location, row)
    if watts is not None:
        out.add(location + " (power)", {**row, "Result": watts[0], "Units": watts[1]})
