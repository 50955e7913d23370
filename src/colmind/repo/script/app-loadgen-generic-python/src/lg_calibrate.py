"""Quick plain-backend timing, used to choose LoadGen's expected latency / QPS hints.

LoadGen pre-generates queries from these hints (SingleStream/MultiStream: 2 x min_duration /
expected latency; Offline: one query of target_qps x min_duration x 1.1 samples), so a hint that is
too slow makes a fast SUT run out of queries and the run INVALID. Measuring first keeps runs VALID on
machines of any speed.
"""

from __future__ import annotations

import statistics
import time
from typing import Any


def _latency(backend: Any, x: Any, size: int, budget_s: float, limit: int = 400) -> float:
    """A fast-side (20th percentile) time in seconds of one predict() on ``size`` samples."""
    count = x.shape[0]
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    i = 0
    while len(times) < limit and (len(times) < 5 or time.perf_counter() < deadline):
        idx = [(i + k) % count for k in range(size)]
        batch = x[idx]
        start = time.perf_counter()
        backend.predict(batch)
        times.append(time.perf_counter() - start)
        i += size
    return statistics.quantiles(times, n=5)[0] if len(times) >= 5 else min(times)


def _throughput(backend: Any, x: Any, batch_size: int, budget_s: float, windows: int = 5) -> float:
    """Samples per second of back-to-back predict() calls: the best of a few short windows, so a
    busy moment on a shared machine does not make the estimate (and LoadGen's hint) too low."""
    count = x.shape[0]
    batches = [x[[(i * batch_size + k) % count for k in range(batch_size)]] for i in range(8)]
    best = 0.0
    for _ in range(windows):
        done, n = 0, 0
        start = time.perf_counter()
        while done < batch_size * 2 or time.perf_counter() - start < budget_s / windows:
            backend.predict(batches[n % len(batches)])
            done += batch_size
            n += 1
        best = max(best, done / (time.perf_counter() - start))
    return best


def calibrate(backend: Any, x: Any, batch_size: int, budget_s: float = 0.6) -> dict[str, float]:
    """bs1 and bs8 latency (ms) and batched throughput (samples/s, one thread)."""
    backend.predict(x[:1])  # warm-up: first run allocates
    part = budget_s / 3
    return {
        "latency_bs1_ms": _latency(backend, x, 1, part) * 1e3,
        "latency_bs8_ms": _latency(backend, x, 8, part) * 1e3,
        "throughput_samples_per_s": _throughput(backend, x, max(1, batch_size), part),
        "batch_size": float(batch_size),
    }
