"""What the importer reads from LoadGen's logs and accuracy.txt: the scenario's metric (as the
MLPerf checker reports it) and the accuracy as checker text ("acc: 98.444")."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# Scenario -> (detail-log keys tried in order, unit, scale to the unit).
METRICS: dict[str, tuple[tuple[str, ...], str, float]] = {
    "Offline": (("result_samples_per_second",), "Samples/s", 1.0),
    "Server": (("result_completed_samples_per_sec", "result_scheduled_samples_per_sec"), "Queries/s", 1.0),
    "SingleStream": (("early_stopping_latency_ss", "result_90.00_percentile_latency_ns"), "Latency (ms)", 1e-6),
    "MultiStream": (("early_stopping_latency_ms", "result_99.00_percentile_per_query_latency_ns"),
                    "Latency (ms)", 1e-6),
}
# accuracy.txt forms of MLPerf's accuracy scripts -> the checker's metric names.
ACCURACY_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"accuracy=([0-9.]+)", "acc"), (r"mAP=([0-9.]+)", "mAP"), (r"['\"]f1['\"]:\s*([0-9.]+)", "F1"),
    (r"['\"]rouge1['\"]:\s*([0-9.]+)", "ROUGE1"), (r"['\"]rouge2['\"]:\s*([0-9.]+)", "ROUGE2"),
    (r"['\"]rougeL['\"]:\s*([0-9.]+)", "ROUGEL"), (r"AUC=([0-9.]+)", "AUC"),
    (r"mean\s*=\s*([0-9.]+)", "DICE"), (r"Word Error Rate:\s*([0-9.]+)", "WER"),
    (r"['\"]FID_SCORE['\"]:\s*([0-9.]+)", "FID_SCORE"), (r"['\"]CLIP_SCORE['\"]:\s*([0-9.]+)", "CLIP_SCORE"),
)

def read_detail(path: Path) -> dict[str, Any]:
    """Last value of every key of a mlperf_log_detail.txt (lines ':::MLLOG {json}')."""
    values: dict[str, Any] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.startswith(":::MLLOG "):
                continue
            try:
                entry = json.loads(line[len(":::MLLOG "):])
            except ValueError:
                continue
            if isinstance(entry, dict) and "key" in entry:
                values[str(entry["key"])] = entry.get("value")
    return values


# mlperf_log_summary.txt lines -> detail-log keys (for trees that lack the detail log).
SUMMARY_KEYS = {
    "Result is": "result_validity", "Samples per second": "result_samples_per_second",
    "Completed samples per second": "result_completed_samples_per_sec",
    "Scheduled samples per second": "result_scheduled_samples_per_sec",
    "Early stopping 90th percentile estimate": "early_stopping_latency_ss",
    "Early stopping 99th percentile estimate": "early_stopping_latency_ms",
    "90th percentile latency (ns)": "result_90.00_percentile_latency_ns",
    "99th percentile latency (ns)": "result_99.00_percentile_per_query_latency_ns",
}


def read_summary(path: Path, scenario: str) -> dict[str, Any]:
    """The detail-log keys the importer needs, from a ``mlperf_log_summary.txt``."""
    values: dict[str, Any] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            name, sep, text = line.strip().lstrip("* ").partition(":")
            name = re.sub(r"(\d+)\.0th", r"\1th", " ".join(name.split()))
            key = SUMMARY_KEYS.get(name)
            if not sep or key is None:
                continue
            if key == "result_99.00_percentile_per_query_latency_ns" and scenario != "MultiStream":
                continue
            values[key] = text.strip() if key == "result_validity" else _number(text)
    return {k: v for k, v in values.items() if v is not None}


def _number(text: str) -> float | int | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def metric(scenario: str, values: dict[str, Any]) -> tuple[float | int, str] | None:
    """(result, unit) of a performance run, or None when its log has no result."""
    keys, unit, scale = METRICS[scenario]
    for key in keys:
        value = values.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            result = value * scale
            return (round(result, 6) if scale != 1.0 else value), unit
    return None


def accuracy_text(path: Path) -> str:
    """"acc: 98.444" / "ROUGE1: 42.9  ROUGE2: 20.1  ROUGEL: 29.9"; "" when nothing is known."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    found = []
    for pattern, name in ACCURACY_PATTERNS:
        match = re.search(pattern, text)
        if match:
            found.append(f"{name}: {match.group(1)}")
    if not found:  # already the checker's form ("ROUGE1: 44.54  ROUGE2: 22.1")
        first = text.strip().splitlines()[0] if text.strip() else ""
        return first if re.search(r"[A-Za-z]\w*\s*:\s*[-+]?\d", first) else ""
    return "  ".join(found)
