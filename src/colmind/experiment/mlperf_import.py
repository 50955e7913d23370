"""Write MLPerf inference records into experiment artifacts (``import-mlperf-inference-to-experiment``).

Each record goes to two experiments, ``mlperf-inference--all--...`` and ``mlperf-inference--<version>--...``
(tags: the name split on ``--`` plus ``mlperf``), into the first run folder holding a
``cm-result.json`` (a new one otherwise). A record replaces the one of the same result (same UID, or
same version + Location + Scenario for records written by CM) and keeps its UID and any key added
later (derived metrics); a re-import of the same results writes nothing.
"""

from __future__ import annotations

import os
from typing import Any

from colmind.errors import CMError
from colmind.experiment import records as rec_mod
from colmind.experiment.mlperf_results import experiment_names, from_summary_csv, from_tree

AUTOMATION = "experiment,a0a2d123ef064bcb"


def load(source: str, version: str = "", git_url: str = "", branch: str = "master") -> list[dict[str, Any]]:
    """Records of a results tree, a colmind output folder or a checker ``summary.csv``."""
    if not source or not os.path.exists(source):
        raise CMError(f"MLPerf results not found: {source!r} (give --results_dir=<tree> or --summary_csv=<file>)")
    if os.path.isfile(source):
        return from_summary_csv(source, version, git_url, branch)
    try:
        return from_tree(source, version, git_url, branch)
    except ValueError as exc:
        raise CMError(str(exc)) from None


def import_records(found: list[dict[str, Any]], target_repo: str = "local") -> dict[str, Any]:
    """Group by experiment name and merge into each experiment; returns paths and counts."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in found:
        for name in experiment_names(record):
            groups.setdefault(name, []).append(record)
    written: list[str] = []
    unchanged: list[str] = []
    for name, group in sorted(groups.items()):
        run_dir = _run_dir(name, target_repo)
        changed = rec_mod.write_records(run_dir, merge(rec_mod.load_records(run_dir), group))
        (written if changed else unchanged).append(run_dir)
    return {"records": len(found), "experiments": len(groups), "written": written, "unchanged": unchanged}


def merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Old records updated in place by the new ones of the same result; others appended."""
    merged = [dict(r) for r in old]
    by_uid = {r.get("uid"): n for n, r in enumerate(merged)}
    by_ident = {_ident(r): n for n, r in enumerate(merged)}
    for record in new:
        n = by_uid.get(record["uid"], by_ident.get(_ident(record)))
        if n is None:
            by_uid[record["uid"]] = len(merged)
            merged.append(dict(record))
        else:
            merged[n].update({k: v for k, v in record.items() if k != "uid"})
    return merged


def _ident(record: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(record.get(k, "")) for k in ("version", "Location", "Scenario"))


def _run_dir(name: str, target_repo: str) -> str:
    from colmind.api import access

    r = access({"action": "find", "automation": AUTOMATION, "artifact": f"{target_repo}:{name}"})
    found = r.get("list") or [] if r["return"] == 0 else []
    if not found:
        tags = ",".join(["mlperf"] + name.split("--"))
        r = access({"action": "add", "automation": AUTOMATION, "artifact": f"{target_repo}:{name}", "tags": tags})
        if r["return"] > 0:
            raise CMError(r["error"])
        path = str(r["path"])
    else:
        path = str(found[0].path)
    existing = rec_mod.run_folders(path)
    return existing[0] if existing else rec_mod.make_run_folder(path)
