"""Submission-level rules of an MLCommons inference submission (v6.x layout), our own reading of them.

    <root>/{closed,open,network}/<submitter>/{systems,src,results}/...   (+ README.md/PDFs at the root)

- the root holds only division folders and .md/.pdf files; a division folder only submitter folders;
- no broken links, files over 50 MB, names starting with '.' or holding spaces, __pycache__ or
  empty folders anywhere under a submitter;
- system descriptions carry every field the official checker requires (most must be non-empty),
  a valid status/system_type, and the division/submitter of the folder they are in;
- a model folder must be an MLPerf benchmark name or, in the open division, be mapped to one in
  ``model_mapping.json`` (the official checker cannot apply its model rules otherwise);
- every system description has results.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from report import Report

DIVISIONS = ("closed", "open", "network")
ROOT_FILE_SUFFIXES = (".md", ".pdf")
IGNORED_ROOT_DIRS = (".git", ".github", "assets")
MAX_FILE_BYTES = 50 * 1024 * 1024
SUBMITTER_FOLDERS = ("systems", "src", "results")
VALID_STATUS = ("available", "preview", "rdi")
VALID_SYSTEM_TYPES = ("datacenter", "edge", "datacenter,edge", "edge,datacenter")
SYSTEM_REQUIRED = (
    "division", "submitter", "status", "system_name", "number_of_nodes", "host_processor_model_name",
    "host_processors_per_node", "host_processor_core_count", "host_memory_capacity", "host_storage_capacity",
    "host_storage_type", "accelerators_per_node", "accelerator_model_name", "accelerator_memory_capacity",
    "framework", "operating_system", "system_type", "other_software_stack", "host_processor_frequency",
    "host_processor_caches", "host_memory_configuration", "host_processor_interconnect", "host_networking",
    "host_networking_topology", "accelerator_frequency", "accelerator_host_interconnect",
    "accelerator_interconnect", "accelerator_interconnect_topology", "accelerator_memory_configuration",
    "accelerator_on-chip_memories", "cooling", "hw_notes", "sw_notes", "host_network_card_count",
    "system_type_detail")
SYSTEM_NOT_EMPTY = (
    "division", "submitter", "system_type", "status", "system_name", "number_of_nodes",
    "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
    "host_memory_capacity", "host_memory_configuration", "host_storage_capacity", "host_storage_type",
    "host_networking", "host_network_card_count", "host_networking_topology", "accelerators_per_node",
    "accelerator_model_name", "accelerator_memory_capacity", "accelerator_host_interconnect",
    "accelerator_memory_configuration", "accelerator_interconnect", "cooling", "framework",
    "operating_system", "other_software_stack")
SYSTEM_INTEGERS = ("number_of_nodes", "accelerators_per_node")
# MLPerf inference benchmark names (v5.x/v6.x rounds) and the usual aliases of them.
BENCHMARKS = frozenset((
    "resnet", "retinanet", "bert-99", "bert-99.9", "dlrm-v2-99", "dlrm-v2-99.9", "3d-unet-99",
    "3d-unet-99.9", "gptj-99", "gptj-99.9", "llama2-70b-99", "llama2-70b-99.9", "llama2-70b-interactive-99",
    "llama2-70b-interactive-99.9", "stable-diffusion-xl", "mixtral-8x7b", "llama3.1-405b", "llama3.1-8b",
    "llama3.1-8b-edge", "rgat", "pointpainting", "deepseek-r1", "whisper", "gpt-oss-120b", "resnet50"))


def submitters(report: Report) -> list[tuple[str, Path]]:
    """Check the root and division folders; return (division, submitter folder) pairs."""
    root = report.root
    found: list[tuple[str, Path]] = []
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and entry.name in DIVISIONS:
            found += _division(report, entry)
        elif entry.is_dir() and entry.name not in IGNORED_ROOT_DIRS:
            report.error(entry, f"not a division folder ({', '.join(DIVISIONS)}): nothing else may be at the "
                                "root of a submission")
        elif entry.is_file() and not entry.name.endswith(ROOT_FILE_SUFFIXES):
            report.error(entry, "only division folders and .md/.pdf files may be at the root of a submission")
    if not found:
        report.error(root, "no <division>/<submitter>/ folder (e.g. open/colmind/): not a submission tree")
    return found


def _division(report: Report, division: Path) -> list[tuple[str, Path]]:
    out = []
    for entry in sorted(division.iterdir()):
        if entry.is_dir():
            out.append((division.name, entry))
        else:
            report.error(entry, "a division folder may only hold submitter folders")
    return out


def check_names(report: Report, base: Path) -> None:
    """Links, sizes, git-unfriendly names, caches and empty folders under one submitter."""
    for folder, dirs, files in os.walk(base):
        here = Path(folder)
        if not dirs and not files:
            report.error(here, "empty folder")
        for name in dirs + files:
            path = here / name
            if name.startswith("."):
                report.error(path, "name starts with '.' (hidden, git-unfriendly)")
            if " " in name:
                report.error(path, "name contains a space")
            if name == "__pycache__":
                report.error(path, "__pycache__ folder: remove it")
        for name in files:
            path = here / name
            if path.is_symlink() and not path.exists():
                report.error(path, "broken symbolic link")
            elif path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
                report.error(path, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")


def check_system_fields(report: Report, path: Path, data: dict[str, Any], division: str,
                        submitter: str) -> None:
    for key in SYSTEM_REQUIRED:
        if key not in data:
            report.error(path, f"system description field '{key}' is missing")
        elif key in SYSTEM_NOT_EMPTY and not str(data[key]).strip():
            report.error(path, f"system description field '{key}' needs a meaningful value, it is empty")
    status = str(data.get("status", "")).lower()
    if status and status not in VALID_STATUS:
        report.error(path, f"status '{data['status']}' is not one of {', '.join(VALID_STATUS)}")
    if data.get("system_type", "") and data["system_type"] not in VALID_SYSTEM_TYPES:
        report.error(path, f"system_type '{data['system_type']}' is not one of {', '.join(VALID_SYSTEM_TYPES)}")
    for key in SYSTEM_INTEGERS:
        if str(data.get(key, "")).strip() and not str(data[key]).strip().isdigit():
            report.error(path, f"'{key}' must be a whole number, got '{data[key]}'")
    for key, folder in (("division", division), ("submitter", submitter)):
        if str(data.get(key, "")).strip() and str(data[key]).lower() != folder.lower():
            report.error(path, f"{key} is '{data[key]}' but the folder is '{folder}'")


def model_mapping(report: Report, base: Path) -> dict[str, str]:
    path = base / "model_mapping.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.error(path, f"cannot read JSON: {exc}")
        return {}
    if not isinstance(data, dict):
        report.error(path, "expected a JSON object {\"<model folder>\": \"<MLPerf benchmark>\"}")
        return {}
    for model, benchmark in data.items():
        if benchmark not in BENCHMARKS:
            report.error(path, f"'{model}' is mapped to '{benchmark}', which is not an MLPerf benchmark")
    return {str(k): str(v) for k, v in data.items()}


def check_model_name(report: Report, model_dir: Path, division: str, mapping: dict[str, str]) -> None:
    name = model_dir.name
    if name in BENCHMARKS:
        return
    if division != "open":
        report.error(model_dir, f"'{name}' is not an MLPerf benchmark: the {division} division needs one")
    elif name not in mapping:
        report.error(model_dir, f"'{name}' is not an MLPerf benchmark and model_mapping.json does not map "
                                "it to one: the official checker cannot apply its model rules")


def systems_without_results(report: Report, base: Path) -> None:
    for path in sorted((base / "systems").glob("*.json")):
        if not (base / "results" / path.stem).is_dir():
            report.error(path, f"system '{path.stem}' has no results/{path.stem}/ folder")
