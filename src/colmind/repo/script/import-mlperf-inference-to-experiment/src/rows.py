"""A result row (one line of the MLPerf checker's summary.csv, typed) and the rules every
source's rows must meet before they become records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .values import number

Row = dict[str, Any]
SCENARIOS = ("SingleStream", "MultiStream", "Server", "Offline")
# Columns a row must have to say which result it is.
IDENTITY = ("Organization", "Division", "Scenario")


@dataclass
class Rows:
    """Rows read from one source and the ones left out, each with its reason."""

    source: str
    rows: list[tuple[str, Row]] = field(default_factory=list)  # (where it was read, row)
    skipped: list[str] = field(default_factory=list)

    def add(self, where: str, row: Row) -> None:
        reason = problem(row)
        if reason:
            self.skip(where, reason)
        else:
            self.rows.append((where, row))

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append(f"{where}: {reason}")


def problem(row: Row) -> str:
    """Why ``row`` cannot be imported, or ""."""
    missing = [k for k in IDENTITY if str(row.get(k) or "").strip() == ""]
    if not str(row.get("MlperfModel") or row.get("Model") or "").strip():
        missing.append("Model")
    if not str(row.get("Platform") or row.get("SystemName") or "").strip():
        missing.append("Platform")
    if missing:
        return f"empty {', '.join(missing)}"
    scenario = str(row["Scenario"])
    if scenario not in SCENARIOS:
        return f"unknown Scenario {scenario!r} (expected one of {', '.join(SCENARIOS)})"
    if number(row.get("Result")) is None:
        return f"Result {row.get('Result')!r} is not a number"
    return ""
