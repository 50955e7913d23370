"""Read LoadGen's mlperf_log_detail.txt (``:::MLLOG {json}`` lines) into a run result."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

PREFIX = ":::MLLOG "
HEADLINES = {
    "SingleStream": ("p90 latency (ms)", "result_90.00_percentile_latency_ns", 1e-6),
    "MultiStream": ("p99 latency per query (ms)", "result_99.00_percentile_per_query_latency_ns", 1e-6),
    "Server": ("completed samples/s", "result_completed_samples_per_sec", 1.0),
    "Offline": ("samples/s", "result_samples_per_second", 1.0),
}
SEED_KEYS = ("qsl_rng_seed", "sample_index_rng_seed", "schedule_rng_seed")


@dataclass
class DetailLog:
    values: dict[str, Any] = field(default_factory=dict)       # last value of each key
    multi: dict[str, list[Any]] = field(default_factory=dict)  # every value of each key
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_detail(path: str) -> DetailLog:
    """Parse the detail log; unreadable lines are skipped (LoadGen may be killed mid-line)."""
    log = DetailLog()
    if not os.path.isfile(path):
        return log
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.startswith(PREFIX):
                continue
            try:
                entry = json.loads(line[len(PREFIX):])
            except ValueError:
                continue
            _add(log, entry)
    return log


def _add(log: DetailLog, entry: dict[str, Any]) -> None:
    key, value = entry.get("key", ""), entry.get("value")
    log.values[key] = value
    log.multi.setdefault(key, []).append(value)
    meta = entry.get("metadata") or {}
    if meta.get("is_error"):
        log.errors.append(f"{key}: {value}")
    elif meta.get("is_warning"):
        log.warnings.append(f"{key}: {value}")


def _ms(values: dict[str, Any], key: str) -> float | None:
    value = values.get(key)
    return round(float(value) * 1e-6, 6) if isinstance(value, (int, float)) else None


def invalid_reasons(log: DetailLog) -> list[str]:
    """LoadGen's own reasons plus the failed checks (early stopping, latency bound) it only flags."""
    values = log.values
    reasons = [str(r).strip() for r in log.multi.get("result_invalid_reason", []) if str(r).strip()]
    if values.get("result_validity") != "INVALID":
        return reasons
    checks = (("result_min_duration_met", "min duration not met"),
              ("result_min_queries_met", "min query count not met"),
              ("result_perf_constraints_met", "latency constraint not met (too many queries over the bound)"),
              ("early_stopping_met", "early stopping not met: "
               + " ".join(str(values.get("early_stopping_result", "")).split())))
    for key, text in checks:
        if values.get(key) is False:
            reasons.append(text.strip())
    return reasons


def performance_result(log: DetailLog, scenario: str) -> dict[str, Any]:
    """Validity, LoadGen's reasons, the scenario's headline metric and p50/p90/p99."""
    values = log.values
    name, key, scale = HEADLINES[scenario]
    raw = values.get(key)
    per_query = "_per_query" if scenario == "MultiStream" else ""
    reasons = invalid_reasons(log)
    return {
        "validity": values.get("result_validity", "UNKNOWN"),
        "invalid_reasons": reasons,
        "early_stopping": values.get("early_stopping_result", ""),
        "metric": name,
        "metric_value": None if raw is None else round(float(raw) * scale, 6),
        "p50_ms": _ms(values, f"result_50.00_percentile{per_query}_latency_ns"),
        "p90_ms": _ms(values, f"result_90.00_percentile{per_query}_latency_ns"),
        "p99_ms": _ms(values, f"result_99.00_percentile{per_query}_latency_ns"),
        "qps_with_loadgen_overhead": values.get("result_qps_with_loadgen_overhead"),
        "min_duration_met": values.get("result_min_duration_met"),
        "min_queries_met": values.get("result_min_queries_met"),
        "early_stopping_met": values.get("early_stopping_met"),
    }


def common_result(log: DetailLog) -> dict[str, Any]:
    """Facts every run records: LoadGen version, scenario/mode, seeds, errors."""
    values = log.values
    return {
        "loadgen_version": values.get("loadgen_version", ""),
        "effective_scenario": values.get("effective_scenario", ""),
        "effective_test_mode": values.get("effective_test_mode", ""),
        "seeds": {k: values.get(f"effective_{k}") for k in SEED_KEYS},
        "loadgen_errors": log.errors,
        "loadgen_warnings": log.warnings,
    }
