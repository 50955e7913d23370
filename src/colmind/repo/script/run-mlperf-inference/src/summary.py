"""The run summary: one row per scenario (JSON + a terminal table)."""

from __future__ import annotations

from typing import Any

COLUMNS = ("scenario", "metric", "value", "result", "p90 ms", "p99 ms", "accuracy", "notes")


def scenario_row(scenario: str, perf: dict[str, Any] | None, acc: dict[str, Any] | None) -> dict[str, Any]:
    """Merge the performance run and the accuracy run of one scenario."""
    row: dict[str, Any] = {"scenario": scenario, "metric": "", "value": None, "result": "-",
                           "p90_ms": None, "p99_ms": None, "accuracy": None, "accuracy_ok": None,
                           "notes": [], "run_errors": []}
    if perf is not None:
        _add_performance(row, perf)
    if acc is not None:
        _add_accuracy(row, acc)
    return row


def _add_performance(row: dict[str, Any], run: dict[str, Any]) -> None:
    p = run.get("performance") or {}
    row.update(metric=p.get("metric", ""), value=p.get("metric_value"))
    if row["scenario"] != "Offline":  # Offline "latencies" are completion times of one big query
        row.update(p90_ms=p.get("p90_ms"), p99_ms=p.get("p99_ms"))
    if run.get("status") != "ok":
        row["result"] = run.get("status", "error").upper()
        row["notes"].append(run.get("message", ""))
        row["run_errors"].append(f"{row['scenario']} performance run {run.get('status')}: {run.get('message', '')}")
        return
    row["result"] = p.get("validity", "UNKNOWN")
    row["notes"].extend(p.get("invalid_reasons") or [])


def _add_accuracy(row: dict[str, Any], run: dict[str, Any]) -> None:
    if run.get("status") != "ok":
        row["notes"].append(f"accuracy run {run.get('status')}: {run.get('message', '')}")
        row["run_errors"].append(f"{row['scenario']} accuracy run {run.get('status')}: {run.get('message', '')}")
    acc = run.get("accuracy")
    if acc:
        row["accuracy"] = acc["accuracy"]
        row["accuracy_ok"] = acc.get("meets_target")
        if not acc.get("meets_target"):
            row["notes"].append(f"accuracy below {acc.get('target')}")


def build(meta: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """summary.json: ``errors`` lists every run that failed, timed out or crashed (performance or accuracy)."""
    ok = all(r["result"] in ("VALID", "-") and r["accuracy_ok"] in (True, None) and not r["run_errors"]
             for r in rows)
    return {**meta, "scenarios": rows, "all_valid": ok, "errors": [e for r in rows for e in r["run_errors"]]}


def _cell(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def table(summary: dict[str, Any]) -> str:
    """A fixed-width table for the terminal."""
    lines = [[r["scenario"], r["metric"] or "-", _cell(r["value"]), r["result"], _cell(r["p90_ms"]),
              _cell(r["p99_ms"]), "-" if r["accuracy"] is None else f"{100 * r['accuracy']:.3f}%",
              "; ".join(n for n in r["notes"] if n)[:100] or "-"] for r in summary["scenarios"]]
    widths = [max(len(h), *(len(row[i]) for row in lines)) if lines else len(h)
              for i, h in enumerate(COLUMNS)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [f"MLPerf inference: model={summary['model']} system={summary['system']} "
           f"execution_mode={summary['execution_mode']} device={summary['device']}",
           fmt.format(*COLUMNS), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*row) for row in lines]
    out.append(f"results: {summary['output_dir']}")
    if summary.get("submission_dir"):
        out.append(f"submission tree (open division): {summary['submission_dir']}")
    return "\n".join(out)
