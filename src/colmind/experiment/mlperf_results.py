"""MLPerf inference results -> experiment records (one per system x model x scenario, performance
and power together), with upstream's record keys (spec cm-experiment 4.1).

Sources: a submission tree (made by colmind's ``run-mlperf-inference``, or an official MLCommons
results repository: ``<division>/<submitter>/results/<system>/<model>/<Scenario>/``) or the
submission checker's ``summary.csv``. Nothing here prompts or crashes on an unknown model or an
accuracy string: unknown models get the task ``other``; accuracy text is parsed into numbers.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from typing import Any

DIVISIONS = ("closed", "open", "network")
SCENARIOS = ("SingleStream", "MultiStream", "Server", "Offline")
MODEL_TASKS = {
    "resnet": "image-classification", "resnet50": "image-classification", "mobilenet": "image-classification",
    "retinanet": "object-detection", "ssd-small": "object-detection", "ssd-large": "object-detection",
    "rnnt": "speech-recognition", "whisper": "speech-recognition",
    "bert": "language-processing", "gptj": "language-processing", "llama2-70b": "language-processing",
    "llama3.1": "language-processing", "llama3_1": "language-processing", "mixtral": "language-processing",
    "deepseek": "language-processing",
    "dlrm": "recommendation", "dlrm-v2": "recommendation", "3d-unet": "image-segmentation",
    "stable-diffusion-xl": "text-to-image", "sdxl": "text-to-image", "rgat": "graph-neural-network",
    "pointpainting": "automotive-object-detection",
}
SYSTEM_KEYS = ("number_of_nodes", "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
               "accelerator_model_name", "accelerators_per_node", "framework", "operating_system")
_ACC_SKIP = {"good", "total", "hash", "qps", "samples"}


def task_of(model: str) -> str:
    """``model2task`` of upstream, data-driven: ``bert-99.9`` -> ``bert``; unknown -> ``other``."""
    name = model.lower()
    for suffix in ("-99.9", "-99"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name in MODEL_TASKS:
        return MODEL_TASKS[name]
    for key in sorted(MODEL_TASKS, key=len, reverse=True):
        if name.startswith(key):
            return MODEL_TASKS[key]
    return "other"


_NUMBER = re.compile(r"-?\d+(\.\d*)?([eE][-+]?\d+)?\Z")


def value_of(text: Any) -> Any:
    """CSV/JSON text -> bool, int, float or the text (as upstream's import: integral -> int)."""
    if not isinstance(text, str):
        return text
    if text in ("True", "False"):
        return text == "True"
    if not _NUMBER.match(text.strip()):
        return text
    number = float(text)
    return int(number) if number.is_integer() else number


def accuracy_fields(text: Any) -> dict[str, Any]:
    """``76.078`` / ``"acc: 76.078"`` / ``accuracy=98.4%, good=..`` / ``{'rouge1': 44.5, ...}`` ->
    ``Accuracy`` (the first metric), ``Accuracy_<metric>`` for each, ``Accuracy_div_100``."""
    out: dict[str, Any] = {}
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        out["Accuracy"] = text
    else:
        pairs = re.findall(r"['\"]?([A-Za-z_][\w\-]*)['\"]?\s*[=:]\s*(-?\d+(?:\.\d+)?)", str(text or ""))
        metrics = [(name, float(v)) for name, v in pairs if name.lower() not in _ACC_SKIP]
        for name, number in metrics:
            if name.lower() != "accuracy":
                out[f"Accuracy_{name}"] = number
        if metrics:
            out["Accuracy"] = metrics[0][1]
        elif str(text or "").strip():
            out["Accuracy"] = value_of(str(text).strip())
    acc = out.get("Accuracy")
    if isinstance(acc, (int, float)) and not isinstance(acc, bool) and acc > 0:
        out["Accuracy_div_100"] = round(acc / 100, 5)
    return out


def record_uid(record: dict[str, Any]) -> str:
    """Stable: the same result (version, location, scenario) always gets the same UID."""
    ident = "|".join(str(record.get(k, "")) for k in ("version", "Location", "Scenario", "Platform", "Model"))
    return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:16]


def finish(record: dict[str, Any], git_url: str, branch: str) -> dict[str, Any]:
    """The derived keys every record gets (url, units, power/efficiency, uid)."""
    if git_url:
        record["git_url"] = git_url
        if record.get("Location"):
            record["url"] = f"{git_url}/tree/{branch}/{record['Location']}"
    if "Units" in record and "Result_Units" not in record:
        record["Result_Units"] = record["Units"]
    power, result = record.get("Result_Power"), record.get("Result")
    if isinstance(power, (int, float)) and power > 0 and record.get("Result_Power_Units") == "Watts" \
            and isinstance(result, (int, float)) and str(record.get("Units", "")).endswith("/s"):
        record["Inference_per_Joule"] = result / power
    record["has_power"] = record.get("has_power") is True or "Result_Power" in record
    record["uid"] = record_uid(record)
    return record


# -- (b) the checker's summary.csv ---------------------------------------------------------------

def from_summary_csv(path: str, version: str = "", git_url: str = "", branch: str = "master") -> list[dict[str, Any]]:
    """One record per result: a power row (Units Watts/joules) is merged into its performance row."""
    with open(path, encoding="utf-8", newline="") as handle:
        # a row longer than the header puts its extra cells under None: dropped
        rows = [{k: v for k, v in row.items() if k is not None} for row in csv.DictReader(handle)]
    merged: dict[tuple[str, ...], dict[str, Any]] = {}
    for row in rows:
        units = row.get("Units", "")
        key = tuple(row.get(k, "") for k in ("version", "Location", "Scenario", "Platform", "Model", "Division"))
        is_power = units == "Watts" or "joules" in units.lower()
        record = merged.setdefault(key, {})
        if is_power:
            record["Result_Power"] = value_of(row.get("Result", ""))
            record["Result_Power_Units"] = units
            for name, value in row.items():
                record.setdefault(name, value_of(value))
        else:
            power: dict[str, Any] = {k: record[k] for k in ("Result_Power", "Result_Power_Units") if k in record}
            record.update({name: value_of(value) for name, value in row.items()})
            record.update(power)
        if version and not record.get("version"):
            record["version"] = version
    out = []
    for record in merged.values():
        if "Units" in record and record.get("Result_Power_Units") == record.get("Units"):
            record.pop("Result", None)  # only a power row: no performance row came with it
        record.update(accuracy_fields(record.get("Accuracy")))
        out.append(finish(record, git_url, branch))
    return out


# -- (a) a submission / results tree ------------------------------------------------------------

def tree_root(path: str) -> str:
    """The folder holding the division folders (``<output_dir>/submission`` of colmind's recipe)."""
    for candidate in (path, os.path.join(path, "submission")):
        if any(os.path.isdir(os.path.join(candidate, d)) for d in DIVISIONS):
            return candidate
    raise ValueError(f"{path} holds no MLPerf results tree (no closed/, open/ or network/ folder)")


def from_tree(path: str, version: str = "", git_url: str = "", branch: str = "master") -> list[dict[str, Any]]:
    root = tree_root(path)
    version = version or _version_from_path(os.path.abspath(root))
    out = []
    for division in DIVISIONS:
        for submitter in _dirs(os.path.join(root, division)):
            base = os.path.join(root, division, submitter)
            mapping = _json(os.path.join(base, "model_mapping.json"))
            for system in _dirs(os.path.join(base, "results")):
                info = _json(os.path.join(base, "systems", f"{system}.json"))
                for model in _dirs(os.path.join(base, "results", system)):
                    for scenario in _dirs(os.path.join(base, "results", system, model)):
                        where = os.path.join(base, "results", system, model, scenario)
                        record = _tree_record(where, root, division, submitter, system, model, scenario, info,
                                              mapping, version)
                        if record is not None:
                            out.append(finish(record, git_url, branch))
    return out


def _tree_record(where: str, root: str, division: str, submitter: str, system: str, model: str,
                 scenario: str, info: dict[str, Any], mapping: dict[str, Any], version: str) -> dict[str, Any] | None:
    perf = parse_summary(os.path.join(where, "performance", "run_1", "mlperf_log_summary.txt"))
    if not perf:
        return None
    record: dict[str, Any] = {
        "Organization": submitter, "Division": division, "Availability": info.get("status", ""),
        "SystemType": info.get("system_type", ""), "SystemName": info.get("system_name", system),
        "Platform": system, "Model": model, "MlperfModel": str(mapping.get(model, model)),
        "Scenario": scenario, "Location": os.path.relpath(where, root).replace(os.sep, "/"),
        "version": version, "notes": info.get("sw_notes", ""),
    }
    for key in SYSTEM_KEYS:
        if key in info:
            record[key] = value_of(info[key])
    record.update(perf)
    accuracy = _read(os.path.join(where, "accuracy", "accuracy.txt"))
    record.update(accuracy_fields(accuracy.split("hash=")[0] if accuracy else ""))
    watts = mean_watts(os.path.join(where, "performance", "run_1", "spl.txt"))
    if watts is not None:
        record["Result_Power"], record["Result_Power_Units"] = watts, "Watts"
    return record


def parse_summary(path: str) -> dict[str, Any]:
    """The scenario's metric from LoadGen's ``mlperf_log_summary.txt`` (the checker's choice:
    early-stopping latency estimates for SingleStream/MultiStream)."""
    text = _read(path)
    if not text:
        return {}
    fields = dict(re.findall(r"^\s*\*?\s*([^:\n]+?)\s*:\s*(.+?)\s*$", text, re.M))
    scenario = fields.get("Scenario", "")
    valid = fields.get("Result is", "")
    if scenario in ("SingleStream", "MultiStream"):
        pct = "90.0" if scenario == "SingleStream" else "99.0"
        ns = fields.get(f"Early stopping {pct}th percentile estimate") or fields.get(f"{pct}th percentile latency (ns)")
        result, units = (float(ns) / 1e6 if ns else None), "Latency (ms)"
    elif scenario == "Server":
        value = fields.get("Completed samples per second") or fields.get("Scheduled samples per second")
        result, units = (float(value) if value else None), "Queries/s"
    else:
        value = fields.get("Samples per second")
        result, units = (float(value) if value else None), "Samples/s"
    return {"Result": result, "Units": units, "Result_Valid": valid == "VALID"}


def mean_watts(path: str) -> float | None:
    """Mean of the ``Watts`` column of a PTDaemon ``spl.txt`` (whole file: the checker restricts
    it to LoadGen's power window; the difference is the ranging edges)."""
    values = [float(m) for m in re.findall(r",Watts,(-?\d+(?:\.\d+)?)", _read(path))]
    return sum(values) / len(values) if values else None


def _version_from_path(path: str) -> str:
    found = re.findall(r"v(\d+\.\d+)", path)
    return f"v{found[-1]}" if found else "local"


def _dirs(path: str) -> list[str]:
    if not os.path.isdir(path):
        return []
    return sorted(n for n in os.listdir(path) if os.path.isdir(os.path.join(path, n)) and not n.startswith("."))


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _json(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def experiment_names(record: dict[str, Any]) -> list[str]:
    """``mlperf-inference--{all|version}--{system type}--{division}--{task}--{scenario}``."""
    division = str(record.get("Division", "")).lower()
    div = "closed-network" if division == "network" else division + ("-power" if record.get("has_power") else "")
    system_type = str(record.get("SystemType", "") or "unknown").split(",")[0].strip() or "unknown"
    task = task_of(str(record.get("MlperfModel") or record.get("Model") or ""))
    rest = f"{system_type}--{div}--{task}--{str(record.get('Scenario', '')).lower()}"
    return [f"mlperf-inference--all--{rest}", f"mlperf-inference--{record.get('version') or 'local'}--{rest}"]


def step_output(tree: str) -> dict[str, Any]:
    """An experiment step's ``cm-output.json`` for an MLPerf result tree: per scenario, its metric,
    units, validity and accuracy (``Offline.Result``, ``Offline.Accuracy``... once flattened)."""
    out: dict[str, Any] = {}
    for record in from_tree(tree):
        keys = ("Result", "Units", "Result_Valid", "Accuracy", "Result_Power", "Model", "Platform")
        out[str(record["Scenario"])] = {k: record[k] for k in keys if k in record}
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m colmind.experiment.mlperf_results TREE [OUTPUT]``: write ``cm-output.json`` (default)
    for an experiment step that ran MLPerf into ``TREE``."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m colmind.experiment.mlperf_results TREE [cm-output.json]", file=sys.stderr)
        return 2
    try:
        data = step_output(args[0])
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with open(args[1] if len(args) > 1 else "cm-output.json", "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    return 0 if data else 1


if __name__ == "__main__":
    raise SystemExit(main())
