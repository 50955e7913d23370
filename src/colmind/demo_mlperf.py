"""The MLPerf part of ``make demo``: digits on the official LoadGen, all scenarios, both modes,
a checked submission-style tree and a summary table."""

from __future__ import annotations

import json
import os
import sys
import time

from colmind.api import access
from colmind.exitcodes import exit_status


def _run(tags: str, what: str, **inputs: object) -> dict:
    print(f"\n=== {what}\n$ cm run script --tags={tags} "
          + " ".join(f"--{k}={v}" for k, v in inputs.items()), flush=True)
    start = time.perf_counter()
    result = access({"action": "run", "automation": "script", "tags": tags, "quiet": True, "out": "con",
                     **inputs})
    took = time.perf_counter() - start
    if result.get("return", 0) > 0:
        print(f"\nCM error: {result.get('error')}", file=sys.stderr)
        sys.exit(exit_status(result["return"]))
    print(f"--- {what}: done in {took:.1f} s", flush=True)
    return result


def run_mlperf_demo(workdir: str) -> int:
    """Run the benchmark, check the tree, print where everything is. Returns the exit status."""
    output = os.path.join(workdir, "mlperf-results")
    run = _run("run-mlperf,inference", "MLPerf inference: digits, all scenarios, performance + accuracy",
               model="digits", scenario="all", mode="all", execution_mode="test", device="cpu",
               output_dir=output)
    env = run.get("new_env", {})
    results = str(env.get("CM_MLPERF_OUTPUT_DIR") or output)
    # The import comes before the check (which stops the demo when it fails) and does not repeat it.
    imported = _run("import,mlperf,inference,to-experiment,_skip_checker",
                    "Importing the results into experiments (one record per scenario)",
                    submission_dir=results)
    print(experiments_line(imported))
    check = _run("check,mlperf,submission", "Checking the result tree", submission_dir=results)
    summary_file = env.get("CM_MLPERF_SUMMARY_JSON") or os.path.join(results, "summary.json")
    valid = str(env.get("CM_MLPERF_ALL_VALID", "")).lower() in ("yes", "true", "1")
    print(f"\nResults:         {results}")
    print(f"Submission tree: {env.get('CM_MLPERF_SUBMISSION_DIR') or os.path.join(results, 'submission')}"
          " (open division; the folder to give an MLPerf submission checker)")
    print(f"Summary:         {summary_file}")
    print(experiments_line(imported))
    if os.path.isfile(str(summary_file)):
        with open(str(summary_file), encoding="utf-8") as handle:
            print("\n" + summary_table(json.load(handle)))
    print(f"All performance runs VALID: {'yes' if valid else 'no'}; checker: "
          f"{'passed' if check.get('return', 1) == 0 else 'failed'}")
    print("Run `make demo` again: every setup step (venv, packages, dataset, model, LoadGen) is a cache hit.")
    return 0 if valid else 1


def experiments_line(imported: dict) -> str:
    """Where the import put the records, and the command that finds them."""
    env = imported.get("new_env", {})
    paths = [p for p in str(env.get("CM_IMPORT_MLPERF_INFERENCE_EXPERIMENTS", "")).split(";") if p]
    where = os.path.commonpath(paths) if paths else "-"
    return (f"Experiments:     {env.get('CM_IMPORT_MLPERF_INFERENCE_RECORDS', 0)} records in {len(paths)} "
            f"experiments under {where} (cm-result.json in each; cm find experiment --tags=mlperf-inference,local)")


def _fmt(value: object, unit: str = "") -> str:
    if isinstance(value, float):
        return f"{value:,.3f}{unit}"
    return "-" if value in (None, "") else str(value)


def summary_table(summary: dict) -> str:
    """The run's summary.json as a table a person can read."""
    header = ("scenario", "metric", "value", "result", "p90 ms", "p99 ms", "accuracy")
    rows = [header]
    for row in summary.get("scenarios") or []:
        acc = row.get("accuracy")
        rows.append((str(row.get("scenario", "")), str(row.get("metric", "")), _fmt(row.get("value")),
                     str(row.get("result", "")), _fmt(row.get("p90_ms")), _fmt(row.get("p99_ms")),
                     f"{acc * 100:.3f}%" if isinstance(acc, float) else "-"))
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    title = (f"MLPerf inference (LoadGen) model={summary.get('model')} system={summary.get('system')} "
             f"mode={summary.get('execution_mode')}")
    return title + "\n" + "\n".join(lines)
