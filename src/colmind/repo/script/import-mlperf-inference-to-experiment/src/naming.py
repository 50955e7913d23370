"""MLPerf model -> task, and the experiment names and tags upstream's importer uses.

    mlperf-inference--{all|vX.Y}--{system type}--{division}--{task}--{scenario}

``division`` is ``closed-network`` for the network division, else the division lower-cased with
``-power`` for power results. Models the table does not know are kept, under task ``unknown``
(upstream stops with a KeyError).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

UNKNOWN_TASK = "unknown"

# Upstream's table (v3.1 era) plus the benchmarks added since (v4.0-v5.x).
TASK_OF_MODEL: dict[str, str] = {
    "resnet": "image-classification", "resnet50": "image-classification",
    "retinanet": "object-detection", "ssd-small": "object-detection", "ssd-large": "object-detection",
    "ssd-resnet34": "object-detection", "ssd-mobilenet": "object-detection",
    "rnnt": "speech-recognition", "whisper": "speech-recognition",
    "bert-99": "language-processing", "bert-99.9": "language-processing",
    "gptj-99": "language-processing", "gptj-99.9": "language-processing",
    "llama2-70b-99": "language-processing", "llama2-70b-99.9": "language-processing",
    "llama2-70b-interactive-99": "language-processing", "llama2-70b-interactive-99.9": "language-processing",
    "mixtral-8x7b": "language-processing", "llama3.1-405b": "language-processing",
    "llama3.1-405b-interactive": "language-processing", "llama3.1-8b": "language-processing",
    "llama3.1-8b-edge": "language-processing", "deepseek-r1": "language-processing",
    "dlrm-99": "recommendation", "dlrm-99.9": "recommendation",
    "dlrm-v2-99": "recommendation", "dlrm-v2-99.9": "recommendation",
    "3d-unet-99": "image-segmentation", "3d-unet-99.9": "image-segmentation",
    "stable-diffusion-xl": "text-to-image",
    "rgat": "graph-neural-network",
    "pointpainting": "object-detection-3d",
}

_SAFE = re.compile(r"[^a-z0-9.\-]+")


def task_of(mlperf_model: str) -> str:
    return TASK_OF_MODEL.get(mlperf_model.strip().lower(), UNKNOWN_TASK)


def division_part(record: Mapping[str, Any]) -> str:
    division = str(record.get("Division", "")).strip().lower()
    if division == "network":
        return "closed-network"
    return division + ("-power" if record.get("has_power") is True else "")


def _part(text: str) -> str:
    """A name part: lower case, no '--' (the separator), only [a-z0-9.-]."""
    part = _SAFE.sub("-", text.strip().lower()).strip("-")
    while "--" in part:
        part = part.replace("--", "-")
    return part or "unknown"


def experiment_name(record: Mapping[str, Any], version: str) -> str:
    """``version`` is ``all`` or ``vX.Y``."""
    system_type = str(record.get("SystemType", "")).split(",")[0]
    parts = ["mlperf-inference", version, system_type, division_part(record),
             task_of(str(record.get("MlperfModel") or record.get("Model") or "")),
             str(record.get("Scenario", ""))]
    return "--".join([parts[0]] + [_part(p) for p in parts[1:]])


def experiment_tags(name: str) -> list[str]:
    """``mlperf`` + the name's parts + ``inference`` (+ ``power`` / ``network``), as the
    published cm4mlperf-results artifacts are tagged."""
    parts = name.split("--")
    tags = ["mlperf", *parts, "inference"]
    division = parts[3] if len(parts) > 3 else ""
    if division.endswith("-power"):
        tags.append("power")
    if division == "closed-network":
        tags.append("network")
    return list(dict.fromkeys(tags))
