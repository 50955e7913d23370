"""The power metric of one performance run of an official results tree, as MLPerf's checker
computes it: the mean of PTDaemon's Watts samples (``spl.txt``) between LoadGen's power_begin
and power_end; Offline/Server report Watts, SingleStream/MultiStream millijoules per query.
A run whose logs give no power_begin/power_end (only a summary log) gets the mean of all
samples, for Offline/Server only (energy per query needs the window)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

TIME_FORMAT = "%m-%d-%Y %H:%M:%S.%f"


def _when(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text).strip(), TIME_FORMAT)
    except ValueError:
        return None


def mean_watts(spl: Path, begin: datetime | None, end: datetime | None) -> float | None:
    """Lines ``Time,<MM-DD-YYYY HH:MM:SS.fff>,Watts,<W>,...``; None when no sample is inside."""
    total, count = 0.0, 0
    with open(spl, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            cells = line.strip().split(",")
            if len(cells) < 4 or cells[0] != "Time" or cells[2] != "Watts":
                continue
            when = _when(cells[1])
            try:
                watts = float(cells[3])
            except ValueError:
                continue
            inside = begin is None or end is None or (when is not None and begin <= when <= end)
            if inside and watts >= 0:
                total += watts
                count += 1
    return total / count if count else None


def power_metric(run_dir: Path, scenario: str, values: dict[str, Any]) -> tuple[float, str] | None:
    """(value, "Watts" | "millijoules") of a run with a ``spl.txt``, else None."""
    spl = run_dir / "spl.txt"
    begin, end = _when(values.get("power_begin")), _when(values.get("power_end"))
    if not spl.is_file() or (begin is not None and end is not None and end <= begin):
        return None
    watts = mean_watts(spl, begin, end)
    if watts is None:
        return None
    if scenario in ("Offline", "Server"):
        return watts, "Watts"
    queries = values.get("result_query_count")
    if begin is None or end is None:
        return None
    if not isinstance(queries, int) or queries <= 0:
        return None
    seconds = (end - begin).total_seconds()
    return watts * seconds / queries * 1000.0, "millijoules"
