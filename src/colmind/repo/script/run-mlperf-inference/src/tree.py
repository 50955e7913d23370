"""The MLCommons submission tree (v6.x layout, open division) and the files describing it.

    <output>/submission/README.md
    <output>/submission/open/<submitter>/model_mapping.json   # our model name -> MLPerf benchmark
    <output>/submission/open/<submitter>/systems/<system>.json
    <output>/submission/open/<submitter>/src/<model>/{*.py of the harness, model_info.json, README.md}
    <output>/submission/open/<submitter>/results/<system>/<model>/<Scenario>/
        {user.conf, measurements.json, README.md, performance/run_1/, accuracy/}
    <output>/accuracy-logs/<system>/<model>/<Scenario>/mlperf_log_accuracy.json   # full logs
    <output>/runs/, <output>/summary.json                                          # harness results

Only ``submission/`` is the tree a submission checker reads: its root holds nothing but the division
folder and a README (the official checker rejects other files there). Accuracy logs over 10 KiB are
truncated in the tree (first and last 4 KiB, as MLCommons' truncate_accuracy_log does) and the full
log is kept under ``accuracy-logs/``; ``accuracy.txt``'s hash is the sha256 of the full log.
System facts come from the detect-os/cpu/gpu recipes' env (CM_HOST_OS_*, CM_HOST_CPU_*, CM_GPU_*),
falling back to what Python can see when a key is absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NA = "N/A"
SYSTEM_FIELDS = (
    "division", "submitter", "status", "system_name", "system_type", "number_of_nodes",
    "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
    "host_processor_frequency", "host_processor_caches", "host_processor_interconnect",
    "host_memory_capacity", "host_memory_configuration", "host_storage_type", "host_storage_capacity",
    "host_networking", "host_networking_topology", "accelerators_per_node", "accelerator_model_name",
    "accelerator_frequency", "accelerator_host_interconnect", "accelerator_interconnect",
    "accelerator_interconnect_topology", "accelerator_memory_capacity", "accelerator_memory_configuration",
    "accelerator_on-chip_memories", "cooling", "hw_notes", "framework", "operating_system",
    "other_software_stack", "sw_notes", "system_type_detail", "host_network_card_count",
)
DIVISION = "open"
# digits and tinycnn are image classifiers: in the open division they are declared under MLPerf's
# image-classification benchmark (the checker applies that benchmark's rules to them).
BENCHMARK_OF_MODEL = {"digits": "resnet", "tinycnn": "resnet"}
MAX_ACCURACY_LOG_BYTES = 10 * 1024
KEEP_BYTES = 4096


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Temp file + rename; world-readable like any other file of a submission."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- layout ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """Where everything of one run lives under the output folder."""

    root: Path
    submitter: str
    system: str
    model: str

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def base(self) -> Path:
        return self.submission / DIVISION / self.submitter

    def scenario_dir(self, scenario: str) -> Path:
        return self.base / "results" / self.system / self.model / scenario

    def mode_dir(self, scenario: str, mode: str) -> Path:
        sdir = self.scenario_dir(scenario)
        return sdir / "performance" / "run_1" if mode == "performance" else sdir / "accuracy"

    def full_accuracy_log(self, scenario: str) -> Path:
        return self.root / "accuracy-logs" / self.system / self.model / scenario / "mlperf_log_accuracy.json"

    def runs(self) -> Path:
        return self.root / "runs" / self.model


def reset_dir(path: Path) -> None:
    """Remove a previous run's files so the tree never mixes runs."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def drop_empty_trace(run_dir: Path) -> None:
    """LoadGen always creates mlperf_log_trace.json, empty when tracing is off: not a result file."""
    trace = run_dir / "mlperf_log_trace.json"
    if trace.is_file() and trace.stat().st_size == 0:
        trace.unlink()


# -- system description --------------------------------------------------------------------
def _memory_gb() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1048576:.1f} GB"
    except OSError:
        pass
    return NA


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or NA


def _os_name(env: Mapping[str, str]) -> str:
    flavor, version = env.get("CM_HOST_OS_FLAVOR", ""), env.get("CM_HOST_OS_VERSION", "")
    if flavor:
        kernel = env.get("CM_HOST_OS_KERNEL_VERSION", "")
        return " ".join(x for x in (flavor, version, f"(kernel {kernel})" if kernel else "") if x)
    return f"{platform.system()} {platform.release()}"


def _cpu_facts(env: Mapping[str, str]) -> dict[str, str]:
    sockets = env.get("CM_HOST_CPU_SOCKETS", "") or "1"
    cores = env.get("CM_HOST_CPU_TOTAL_CORES", "") or env.get("CM_HOST_CPU_TOTAL_PHYSICAL_CORES", "") \
        or str(os.cpu_count() or NA)
    return {
        "host_processor_model_name": env.get("CM_HOST_CPU_MODEL_NAME", "") or _cpu_model(),
        "host_processors_per_node": sockets,
        "host_processor_core_count": cores,
        "host_processor_frequency": env.get("CM_HOST_CPU_MAX_MHZ", "") or NA,
        "host_processor_caches": env.get("CM_HOST_CPU_L3_CACHE_SIZE", "") or NA,
        "host_memory_capacity": env.get("CM_HOST_MEMORY_CAPACITY", "") or _memory_gb(),
    }


def _gpu_facts(env: Mapping[str, str], device: str) -> dict[str, str]:
    if device != "cuda":
        return {"accelerators_per_node": "0", "accelerator_model_name": NA,
                "accelerator_memory_capacity": NA}
    return {"accelerators_per_node": env.get("CM_GPU_COUNT", "") or "1",
            "accelerator_model_name": env.get("CM_GPU_NAME", "") or env.get("CM_GPU_MODEL", "") or NA,
            "accelerator_memory_capacity": env.get("CM_GPU_MEMORY", "") or NA}


def _network_cards() -> str:
    """Network interfaces other than loopback (host_network_card_count), N/A when unknown."""
    try:
        return str(len([n for n in os.listdir("/sys/class/net") if n != "lo"]))
    except OSError:
        return NA


def system_description(system: str, device: str, framework: str, env: Mapping[str, str],
                       submitter: str = "colmind") -> dict[str, str]:
    """Every SYSTEM_FIELDS key, filled from env or a fallback, N/A when unknown."""
    desc = {key: NA for key in SYSTEM_FIELDS}
    desc.update({
        "division": DIVISION, "submitter": submitter, "host_network_card_count": _network_cards(), "status": "available", "system_name": system,
        "system_type": "edge", "number_of_nodes": "1", "framework": framework,
        "operating_system": _os_name(env), "cooling": "air",
        "other_software_stack": f"Python {platform.python_version()}, colmind harness",
        "sw_notes": "Run with colmind's run-mlperf-inference recipe (official MLPerf LoadGen).",
        "system_type_detail": "edge server" if device == "cpu" else "edge server with GPU",
    })
    desc.update(_cpu_facts(env))
    desc.update(_gpu_facts(env, device))
    return desc


# -- sources, model and measurements ----------------------------------------------------------
def model_info(name: str, model_path: str, dataset: str, reference_accuracy: float,
               samples: int) -> dict[str, Any]:
    npz = os.path.join(dataset, "val.npz") if os.path.isdir(dataset) else dataset
    return {
        "model": name, "model_file": os.path.abspath(model_path),
        "model_sha256": file_sha256(model_path), "model_bytes": os.path.getsize(model_path),
        "dataset": os.path.abspath(npz), "dataset_sha256": file_sha256(npz), "dataset_samples": samples,
        "reference_accuracy": reference_accuracy, "accuracy_target": 0.99,
        "response_format": "int32 little-endian class label per sample",
    }


def write_sources(base: Path, model: str, harness_dir: Path, info: dict[str, Any]) -> Path:
    """Copy the harness programs and record the model facts under <division>/<submitter>/src/<model>/."""
    dest = base / "src" / model
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(harness_dir.glob("*.py")):
        shutil.copy2(path, dest / path.name)
    write_json(dest / "model_info.json", info)
    write_text(dest / "README.md", f"# {model}\n\nHarness: `harness.py` (MLPerf LoadGen, onnxruntime).\n"
               f"Model: `{os.path.basename(info['model_file'])}` sha256 `{info['model_sha256']}`.\n"
               f"Reference accuracy: {info['reference_accuracy']}.\n")
    return dest


def measurements(info: dict[str, Any], scenario: str, execution_mode: str) -> dict[str, Any]:
    return {
        "input_data_types": "fp32", "weight_data_types": "fp32", "retraining": "no",
        "starting_weights_filename": os.path.basename(info["model_file"]),
        "weight_transformations": "none", "scenario": scenario, "execution_mode": execution_mode,
        "model_sha256": info["model_sha256"], "reference_accuracy": info["reference_accuracy"],
        "accuracy_target": info["accuracy_target"],
    }


def write_scenario_files(sdir: Path, info: dict[str, Any], scenario: str, execution_mode: str,
                         command: str) -> None:
    write_json(sdir / "measurements.json", measurements(info, scenario, execution_mode))
    write_text(sdir / "README.md", f"# {info['model']} {scenario}\n\nReproduce with:\n\n```\n{command}\n```\n")


# -- submission-level files -------------------------------------------------------------------
def write_model_mapping(base: Path, model: str) -> None:
    """open/<submitter>/model_mapping.json: the MLPerf benchmark our (unofficial) model runs as.

    The official checker looks a model name up in this file for the open division; a name it
    cannot map makes its model-specific checks fail. Existing entries (other models) are kept.
    """
    benchmark = BENCHMARK_OF_MODEL.get(model)
    if benchmark is None:
        return
    path = base / "model_mapping.json"
    mapping: dict[str, str] = {}
    if path.is_file():
        try:
            mapping = dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            mapping = {}
    mapping[model] = benchmark
    write_json(path, mapping)


def write_submission_readme(layout: Layout) -> None:
    write_text(layout.submission / "README.md",
               f"# MLPerf inference results ({DIVISION} division)\n\n"
               f"Made with colmind's run-mlperf-inference recipe and the official MLPerf LoadGen.\n"
               f"Submitter `{layout.submitter}`, system `{layout.system}`, model `{layout.model}`"
               f" (declared as `{BENCHMARK_OF_MODEL.get(layout.model, layout.model)}` in model_mapping.json).\n"
               f"Short test-mode runs (min_duration < 600 s) are not valid for an official submission.\n")


def publish_accuracy_log(run_dir: Path, full_copy: Path) -> bool:
    """Keep the full accuracy log outside the tree; truncate the tree's copy when it is over 10 KiB.

    The truncated file is the first and last 4 KiB joined by a ``...`` line (MLCommons' format).
    Returns True when the tree's log was truncated.
    """
    log = run_dir / "mlperf_log_accuracy.json"
    data = log.read_bytes()
    write_bytes(full_copy, data)
    if len(data) <= MAX_ACCURACY_LOG_BYTES:
        return False
    write_bytes(log, data[:KEEP_BYTES] + b"\n\n...\n\n" + data[-KEEP_BYTES:])
    return True
