"""LoadGen settings per scenario for ``execution_mode`` test (seconds) or valid (official minimums).

test:  min_duration 1 s (Offline 0.5 s), MultiStream min_query_count 662 and Server 500 (the least
       LoadGen's p99 early stopping accepts), so short runs can still be VALID;
valid: no duration/count keys at all: LoadGen's built-in mlperf.conf applies (600 s, ...).
The performance hints come from a quick calibration of the plain backend (see lg_calibrate.py):
expected latency well below the measured one and Offline QPS well above it, because LoadGen
pre-generates queries from them and a SUT faster than the hint runs out of queries (INVALID).
Explicit values (--target_qps, --target_latency) always win.
"""

from __future__ import annotations

from dataclasses import dataclass

SCENARIOS = ("SingleStream", "MultiStream", "Server", "Offline")
SERVER_LOAD = 0.15        # Server target QPS as a fraction of the bs1 rate of all workers
SERVER_MIN_BOUND_MS = 10  # LoadGen's default Server latency bound (valid runs)
# Short test runs on a busy laptop: a 10 ms p99 bound turns scheduler noise into INVALID runs.
SERVER_TEST_BOUND_MS = 50


@dataclass(frozen=True)
class Calibration:
    latency_bs1_ms: float
    latency_bs8_ms: float
    throughput: float  # samples/s, one predict() stream with the configured batch size
    workers: int


@dataclass(frozen=True)
class Overrides:
    target_qps: float = 0.0
    target_latency_ms: float = 0.0


def _fmt(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "0", "-0") else "0.001"


def duration_keys(scenario: str, execution_mode: str) -> dict[str, str]:
    if execution_mode == "valid":
        return {}
    keys = {"min_duration": "500" if scenario == "Offline" else "1000"}
    if scenario == "MultiStream":
        keys["min_query_count"] = "662"
    if scenario == "Server":
        keys["min_query_count"] = "500"
    return keys


def hint_keys(scenario: str, cal: Calibration, execution_mode: str, over: Overrides) -> dict[str, str]:
    """target_latency / target_qps for one scenario."""
    fast = 4.0 if execution_mode == "test" else 2.0
    if scenario == "SingleStream":
        return {"target_latency": _fmt(over.target_latency_ms or max(cal.latency_bs1_ms / fast, 0.001))}
    if scenario == "MultiStream":
        return {"target_latency": _fmt(over.target_latency_ms or max(cal.latency_bs8_ms / fast, 0.001))}
    if scenario == "Server":
        rate = cal.workers * 1000.0 / max(cal.latency_bs1_ms, 1e-6)
        floor = SERVER_TEST_BOUND_MS if execution_mode == "test" else SERVER_MIN_BOUND_MS
        bound = over.target_latency_ms or max(floor, 20 * cal.latency_bs1_ms)
        return {"target_qps": _fmt(over.target_qps or max(1.0, SERVER_LOAD * rate)),
                "target_latency": _fmt(bound)}
    return {"target_qps": _fmt(over.target_qps or max(1.0, 1.5 * cal.workers * cal.throughput))}


def loadgen_values(scenario: str, execution_mode: str, cal: Calibration, over: Overrides) -> dict[str, str]:
    """All user.conf values for one scenario (keys as LoadGen reads them)."""
    return {**duration_keys(scenario, execution_mode), **hint_keys(scenario, cal, execution_mode, over)}


def expand(value: str, choices: tuple[str, ...]) -> list[str]:
    """'all' or a comma list, matched case-insensitively against ``choices``."""
    if value.strip().lower() == "all":
        return list(choices)
    out: list[str] = []
    for item in value.split(","):
        match = [c for c in choices if c.lower() == item.strip().lower()]
        if not match:
            raise ValueError(f"'{item}' is not one of {', '.join(choices)} or all")
        out.append(match[0])
    return out
