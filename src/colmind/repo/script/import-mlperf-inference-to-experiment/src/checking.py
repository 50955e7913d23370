"""Run colmind's check-mlperf-submission on a tree and count its errors per result folder."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from colmind.api import access


def errors_per_location(tree: Path) -> tuple[dict[str, int], str]:
    """({Location: number of ERROR findings}, a one-line verdict). The checker failing is not an
    import error: its findings are counted and the import goes on."""
    with tempfile.TemporaryDirectory(prefix="colmind-import-check-") as tmp:
        report_path = os.path.join(tmp, "report.json")
        result = access({"action": "run", "automation": "script", "tags": "check,mlperf,submission",
                         "submission_dir": str(tree), "json": report_path, "quiet": True})
        try:
            with open(report_path, encoding="utf-8") as handle:
                report = json.load(handle)
        except (OSError, ValueError):
            return {}, f"checker did not run: {result.get('error', 'no report')}"
    counts: dict[str, int] = {}
    for finding in report.get("findings", []):
        if finding.get("level") == "ERROR":
            location = result_location(str(finding.get("path", "")))
            counts[location] = counts.get(location, 0) + 1
    return counts, f"checker: {report.get('errors', 0)} error(s) in {report.get('root', tree)}"


def result_location(path: str) -> str:
    """``<div>/<org>/results/<sys>/<model>/<Scenario>`` of a finding's path ("" if none)."""
    parts = path.split("/")
    if len(parts) >= 6 and parts[2] == "results":
        return "/".join(parts[:6])
    return ""
