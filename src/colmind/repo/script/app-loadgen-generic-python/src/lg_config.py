"""LoadGen settings: the user.conf keys LoadGen really reads, user.conf rendering, TestSettings.

Verified against mlcommons-loadgen 6.0.17 (each key set in a user.conf and looked up as
``requested_*`` in mlperf_log_detail.txt):
- read for every scenario: see ``COMMON_KEYS``;
- read only under one scenario name: see ``SCENARIO_KEYS``;
- NOT read from a user.conf: the RNG seeds (only the built-in mlperf.conf sets them), ``test05*``,
  MultiStream ``target_qps``/``max_async_queries``, and Python attribute names such as
  ``min_duration_ms`` (silently ignored by LoadGen). Writing them would only mislead, so they are refused.
Times are in milliseconds (fractions allowed), percentiles in percent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SCENARIOS = ("SingleStream", "MultiStream", "Server", "Offline")
MODES = {"performance": "PerformanceOnly", "accuracy": "AccuracyOnly"}

COMMON_KEYS = frozenset({
    "min_duration", "max_duration", "min_query_count", "max_query_count",
    "performance_sample_count_override", "accuracy_sample_count_override",
    "accuracy_log_rng_seed", "accuracy_log_probability", "accuracy_log_sampling_target",
    "print_timestamps", "performance_issue_unique", "performance_issue_same",
    "performance_issue_same_index", "sample_concatenate_permutation",
    "use_token_latencies", "ttft_latency", "tpot_latency",
})
SCENARIO_KEYS = {
    "SingleStream": frozenset({"target_latency", "target_latency_percentile"}),
    "MultiStream": frozenset({"target_latency", "target_latency_percentile", "samples_per_query"}),
    "Server": frozenset({"target_latency", "target_latency_percentile", "target_qps",
                         "coalesce_queries", "max_async_queries"}),
    "Offline": frozenset({"target_qps"}),
}
HINTS = {
    "min_duration_ms": "min_duration", "target_latency_ns": "target_latency (ms)",
    "server_target_qps": "target_qps", "offline_expected_qps": "target_qps",
    "multi_stream_samples_per_query": "samples_per_query",
}
_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


class ConfigError(Exception):
    """A user.conf key/value or a LoadGen FromConfig call was rejected."""


@dataclass(frozen=True)
class RunSpec:
    """What one LoadGen run measures."""

    model_name: str
    scenario: str
    mode: str  # 'performance' | 'accuracy'


def normalize_scenario(value: str) -> str:
    """Accept any case ('offline', 'Offline') and return LoadGen's spelling."""
    for name in SCENARIOS:
        if name.lower() == value.strip().lower():
            return name
    raise ConfigError(f"unknown scenario '{value}': use one of {', '.join(SCENARIOS)}")


def normalize_mode(value: str) -> str:
    """Accept performance/accuracy and LoadGen's PerformanceOnly/AccuracyOnly."""
    low = value.strip().lower()
    for short, long in MODES.items():
        if low in (short, long.lower()):
            return short
    raise ConfigError(f"unknown mode '{value}': use performance or accuracy")


def check_key(scenario: str, key: str) -> None:
    """Refuse keys LoadGen would silently ignore for this scenario."""
    if key in COMMON_KEYS or key in SCENARIO_KEYS[scenario]:
        return
    hint = f" (did you mean '{HINTS[key]}'?)" if key in HINTS else ""
    raise ConfigError(f"user.conf key '{key}' is not read by LoadGen for {scenario}{hint}")


def parse_assignments(items: list[str]) -> dict[str, str]:
    """Turn ['min_duration=1000', ...] into a dict, checking the value is a number."""
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise ConfigError(f"setting '{item}' is not of the form key=value")
        if not _NUMBER.match(value):
            raise ConfigError(f"setting '{key}' needs a number, got '{value}'")
        values[key] = value
    return values


def render_user_conf(model_name: str, scenario: str, values: dict[str, Any]) -> str:
    """A user.conf with ``<model>.<Scenario>.<key> = value`` lines, keys checked first."""
    if not _NAME.match(model_name):
        raise ConfigError(f"model name '{model_name}' may only contain letters, digits, '_' and '-'")
    lines = [f"# user.conf for {model_name} {scenario}: only keys LoadGen reads (times in ms)"]
    for key in sorted(values):
        check_key(scenario, key)
        lines.append(f"{model_name}.{scenario}.{key} = {values[key]}")
    return "\n".join(lines) + "\n"


def make_test_settings(lg: Any, user_conf: str, spec: RunSpec) -> Any:
    """TestSettings from LoadGen's built-in mlperf.conf + ``user_conf``; FromConfig's rc is checked."""
    settings = lg.TestSettings()
    settings.scenario = getattr(lg.TestScenario, spec.scenario)
    rc = settings.FromConfig(user_conf, spec.model_name, spec.scenario)
    if rc != 0:
        raise ConfigError(f"LoadGen rejected {user_conf} (FromConfig returned {rc}: "
                          f"{'file not found' if rc == -2 else 'bad key or value'})")
    # A conf file may carry a 'mode' key: the requested mode always wins.
    settings.mode = getattr(lg.TestMode, MODES[spec.mode])
    return settings
