"""What ``cm run experiment`` prints while it runs (only with ``out == 'con'``)."""

from __future__ import annotations

from typing import Any

from colmind.console import say


class Console:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.total = 0

    def start(self, sweep: Any) -> None:
        total = 1
        for values in sweep.space.values():
            total *= len(values)
        self.total = total
        if self.enabled:
            say(f"Experiment: {sweep.run_dir} ({total} step{'s' if total != 1 else ''}"
                f"{f', {len(sweep.done)} already recorded' if sweep.done else ''})")

    def skipped(self, index: int, dims: dict[str, Any]) -> None:
        if self.enabled:
            say(f"Step {index} of {self.total}: already recorded {_dims(dims)}")

    def recorded(self, outcome: Any) -> None:
        if self.enabled:
            status = "ok" if outcome.ok else f"FAILED ({outcome.error})"
            say(f"Step {outcome.spec.index} of {self.total}: {status} in {outcome.duration_s:.2f} s "
                f"{_dims(outcome.spec.dims)} -> {outcome.spec.uid}")


def _dims(dims: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in dims.items())
