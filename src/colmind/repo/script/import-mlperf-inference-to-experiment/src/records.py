"""Rows -> experiment records: ONE record per system x model x scenario, with the performance
row and the power row (Units Watts / millijoules) of a power submission merged, upstream's
record keys (spec 4.1) and a uid derived from the result's identity, so a re-import gives every
result the uid it had before."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .rows import Row, Rows
from .values import accuracy_fields, normalise_version, number

Record = dict[str, Any]
KEY_FIELDS = ("version", "Division", "Organization", "Platform", "Model", "Scenario")
SAMPLES_PER_QUERY = {"SingleStream": 1, "MultiStream": 8}


@dataclass(frozen=True)
class Origin:
    """Where the results are published: ``url`` = git_url/tree/branch/Location, else a file:// URL
    of the result folder under ``local_root``, else ""."""

    git_url: str = ""
    branch: str = "master"
    local_root: Path | None = None

    def url(self, location: str) -> str:
        if not location:
            return ""
        if self.git_url:
            return f"{self.git_url.rstrip('/')}/tree/{self.branch}/{location}"
        if self.local_root is not None:
            return (self.local_root / location).resolve().as_uri()
        return ""


def is_power(row: Row) -> bool:
    units = str(row.get("Units") or "")
    return units == "Watts" or "joules" in units.lower()


def identity(row: Row, version: str) -> tuple[str, ...]:
    """(version, Division, Organization, Platform, Model, Scenario) of a row."""
    platform = row.get("Platform") or row.get("SystemName")
    model = row.get("Model") or row.get("MlperfModel")
    values = {"version": version, "Platform": platform, "Model": model}
    return tuple(str(values.get(k, row.get(k)) or "").strip() for k in KEY_FIELDS)


def record_uid(key: tuple[str, ...]) -> str:
    text = "\x1f".join(("mlperf-inference", *key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def row_version(row: Row, forced: str) -> str:
    return normalise_version(forced or str(row.get("version") or ""))


def build(rows: Rows, origin: Origin, version: str = "") -> list[Record]:
    """Records of ``rows`` (sorted by uid); rows without a version, or repeating a result already
    seen, are added to ``rows.skipped``."""
    perf: dict[tuple[str, ...], Row] = {}
    power: dict[tuple[str, ...], Row] = {}
    for where, row in rows.rows:
        ver = row_version(row, version)
        if not ver:
            rows.skip(where, "no version (no 'version' column value; give --version=vX.Y)")
            continue
        key = identity(row, ver)
        target = power if is_power(row) else perf
        if key in target:
            rows.skip(where, f"a second {'power' if target is power else 'performance'} row for "
                             f"{'/'.join(key)}")
            continue
        target[key] = {**row, "version": ver}
    keys = sorted(set(perf) | set(power))
    records = [merge(perf.get(k), power.get(k), origin, record_uid(k)) for k in keys]
    return sorted(records, key=lambda r: str(r["uid"]))


def merge(perf: Row | None, power: Row | None, origin: Origin, uid: str) -> Record:
    """One record from the performance row and/or the power row of one result."""
    base = perf if perf is not None else power
    assert base is not None
    record: Record = {k: v for k, v in base.items() if k != "Accuracy"}
    record.update(accuracy_fields(base.get("Accuracy")))
    if perf is not None:
        record["Result_Units"] = perf.get("Units", "")
    else:
        record["Result"] = None
    if power is not None:
        add_power(record, power)
    record["has_power"] = power is not None or base.get("has_power") is True
    location = str(base.get("Location") or "")
    record.setdefault("Location", location)
    record["git_url"] = origin.git_url
    record["url"] = origin.url(location)
    record["uid"] = uid
    return record


def add_power(record: Record, power: Row) -> None:
    """Result_Power(_Units) and Inference_per_Joule (as the published records compute it)."""
    watts_or_mj = number(power.get("Result"))
    units = str(power.get("Units") or "")
    record["Result_Power"] = watts_or_mj
    record["Result_Power_Units"] = units
    result = number(record.get("Result"))
    if not watts_or_mj:
        return
    if units == "Watts" and result is not None and "/s" in str(record.get("Result_Units", "")):
        record["Inference_per_Joule"] = result / watts_or_mj
    elif units.lower() == "millijoules":
        per_query = SAMPLES_PER_QUERY.get(str(record.get("Scenario")), 1)
        record["Inference_per_Joule"] = per_query * 1000.0 / watts_or_mj
