"""Check an MLCommons inference submission tree made by run-mlperf-inference (stdlib only).

    python checker.py --input OUT [--strict] [--expected-seeds QSL,SAMPLE,SCHEDULE] [--json report.json]

--input is the submission root (holds open/<submitter>/...) or run-mlperf-inference's output folder
(holds submission/ and accuracy-logs/). Checks: the submission layout the official MLCommons checker
walks (structure.py: root, divisions, names, system description fields, model_mapping.json);
required files and fields; every performance run VALID, of the right scenario and mode, with
LoadGen's seeds for its version and the settings of its user.conf; every accuracy run's accuracy.txt
matching its full log (hash), covering the whole dataset and >= 99 % of the reference accuracy of
measurements.json, and its mlperf_log_accuracy.json truncated to <= 10 KiB; one LoadGen version and
one seed set across the tree. Short (test) durations are warnings, errors with --strict. Every
problem names the file it concerns. Exit 1 when any error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import structure  # noqa: E402
from report import Report  # noqa: E402

SCENARIOS = ("SingleStream", "MultiStream", "Server", "Offline")
SEED_KEYS = ("qsl_rng_seed", "sample_index_rng_seed", "schedule_rng_seed")
# The seeds compiled into LoadGen's built-in mlperf.conf (a user.conf cannot change them).
# 6.0.17 carries the v6.1 round's seeds (added 2026-07-02).
KNOWN_SEEDS: dict[str, tuple[int, int, int]] = {
    "6.0.17": (2085463073848966840, 2747215439041700203, 16159082839903944936),
}
OFFICIAL_MIN_DURATION_MS = 600000
MIN_QUERIES = {"MultiStream": 662}
SCENARIO_FILES = ("user.conf", "measurements.json", "README.md")
PERF_FILES = ("mlperf_log_summary.txt", "mlperf_log_detail.txt")
ACC_FILES = ("mlperf_log_summary.txt", "mlperf_log_detail.txt", "mlperf_log_accuracy.json", "accuracy.txt")
MEASUREMENT_FIELDS = ("input_data_types", "retraining", "starting_weights_filename",
                      "weight_data_types", "weight_transformations", "reference_accuracy")
MAX_ACCURACY_LOG_BYTES = 10 * 1024
TRUNCATION_MARK = b"\n\n...\n\n"
ACCURACY_TARGET = 0.99
CONF_TO_DETAIL = {"min_duration": "requested_min_duration_ms", "min_query_count": "requested_min_query_count",
                  "max_duration": "requested_max_duration_ms", "max_query_count": "requested_max_query_count"}


# -- readers ---------------------------------------------------------------------------------
def read_detail(path: Path) -> tuple[dict[str, Any], dict[str, list[Any]], list[str]]:
    """(last value per key, all values per key, LoadGen error entries) of mlperf_log_detail.txt."""
    values: dict[str, Any] = {}
    multi: dict[str, list[Any]] = {}
    errors: list[str] = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.startswith(":::MLLOG "):
                continue
            try:
                entry = json.loads(line[len(":::MLLOG "):])
            except ValueError:
                continue
            key = entry.get("key", "")
            values[key] = entry.get("value")
            multi.setdefault(key, []).append(entry.get("value"))
            if (entry.get("metadata") or {}).get("is_error"):
                errors.append(f"{key}: {entry.get('value')}")
    return values, multi, errors


def read_json(report: Report, path: Path) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        report.error(path, f"cannot read JSON: {exc}")
        return None
    if not isinstance(data, dict):
        report.error(path, "expected a JSON object")
        return None
    return data


def read_user_conf(path: Path) -> dict[str, str]:
    """key -> value of '<model>.<Scenario>.<key> = value' lines."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        name, sep, value = line.partition("=")
        if sep and name.count(".") >= 2:
            values[name.strip().split(".")[-1]] = value.strip()
    return values


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- structure -------------------------------------------------------------------------------
def require_files(report: Report, folder: Path, names: tuple[str, ...]) -> bool:
    ok = True
    if not folder.is_dir():
        report.error(folder, "required folder is missing")
        return False
    for name in names:
        path = folder / name
        if not path.is_file():
            report.error(path, "required file is missing")
            ok = False
        elif path.stat().st_size == 0:
            report.error(path, "file is empty")
            ok = False
    return ok


def check_system(report: Report, path: Path, division: str, submitter: str) -> None:
    data = read_json(report, path)
    if data is None:
        return
    structure.check_system_fields(report, path, data, division, submitter)
    if data.get("system_name") and data["system_name"] != path.stem:
        report.error(path, f"system_name '{data['system_name']}' does not match the file name '{path.stem}'")


def check_measurements(report: Report, path: Path) -> float | None:
    """Required fields; returns the reference accuracy (fraction) or None."""
    data = read_json(report, path)
    if data is None:
        return None
    for key in MEASUREMENT_FIELDS:
        if data.get(key) in (None, ""):
            report.error(path, f"field '{key}' is missing or empty")
    ref = data.get("reference_accuracy")
    if isinstance(ref, (int, float)) and ref > 0:
        return float(ref) / 100.0 if ref > 1 else float(ref)
    if ref is not None:
        report.error(path, f"reference_accuracy must be a positive number, got {ref!r}")
    return None


# -- runs ------------------------------------------------------------------------------------
def check_common(report: Report, detail: Path, scenario: str, mode: str) -> dict[str, Any] | None:
    """Scenario, mode, LoadGen errors, version and seeds of one run; returns the detail values."""
    values, _multi, lg_errors = read_detail(detail)
    if not values:
        report.error(detail, "no LoadGen log entries (':::MLLOG' lines) found")
        return None
    if values.get("effective_scenario") != scenario:
        report.error(detail, f"run is for scenario '{values.get('effective_scenario')}', folder says '{scenario}'")
    if values.get("effective_test_mode") != mode:
        report.error(detail, f"run mode is '{values.get('effective_test_mode')}', expected '{mode}'")
    for entry in lg_errors:
        report.error(detail, f"LoadGen logged an error: {entry}")
    check_seeds(report, detail, values)
    return values


def check_seeds(report: Report, detail: Path, values: dict[str, Any]) -> None:
    version = str(values.get("loadgen_version", "")).split(" ")[0]
    report.versions.setdefault(version, []).append(report.rel(detail))
    seeds = tuple(values.get(f"effective_{k}") for k in SEED_KEYS)
    report.seeds.setdefault(seeds, []).append(report.rel(detail))
    expected = report.expected_seeds or KNOWN_SEEDS.get(version)
    if expected is None:
        report.warn(detail, f"no known seeds for LoadGen '{version}': only checked for consistency "
                            "(pass --expected-seeds to check them)")
        return
    for key, got, want in zip(SEED_KEYS, seeds, expected, strict=False):
        if got != want:
            report.error(detail, f"{key} is {got}, LoadGen {version} uses {want}: the run did not use "
                                 "the official seeds")


def check_performance(report: Report, sdir: Path, scenario: str) -> None:
    run = sdir / "performance" / "run_1"
    if not require_files(report, run, PERF_FILES):
        return
    detail = run / "mlperf_log_detail.txt"
    values = check_common(report, detail, scenario, "PerformanceOnly")
    if values is None:
        return
    _, multi, _ = read_detail(detail)
    if values.get("result_validity") != "VALID":
        reasons = [str(r).strip() for r in multi.get("result_invalid_reason", []) if str(r).strip()]
        if values.get("early_stopping_met") is False:
            reasons.append(" ".join(str(values.get("early_stopping_result", "")).split()))
        report.error(detail, f"performance run is {values.get('result_validity', 'without a result')}"
                             + (f": {'; '.join(reasons)}" if reasons else ""))
    check_summary_agrees(report, run / "mlperf_log_summary.txt", values)
    check_durations(report, detail, scenario, values)
    if (sdir / "user.conf").is_file():
        check_user_conf(report, sdir / "user.conf", detail, values)


def check_summary_agrees(report: Report, summary: Path, values: dict[str, Any]) -> None:
    match = re.search(r"Result is\s*:\s*(\w+)", summary.read_text(encoding="utf-8", errors="replace"))
    if not match:
        report.error(summary, "no 'Result is :' line")
    elif match.group(1) != values.get("result_validity"):
        report.error(summary, f"says {match.group(1)} but the detail log says {values.get('result_validity')}")


def check_durations(report: Report, detail: Path, scenario: str, values: dict[str, Any]) -> None:
    duration = values.get("effective_min_duration_ms")
    if isinstance(duration, (int, float)) and duration < OFFICIAL_MIN_DURATION_MS:
        report.soft(detail, f"min_duration is {duration} ms, official runs need >= {OFFICIAL_MIN_DURATION_MS} ms")
    need = MIN_QUERIES.get(scenario)
    count = values.get("effective_min_query_count")
    if need and isinstance(count, int) and count < need:
        report.soft(detail, f"min_query_count is {count}, {scenario} needs >= {need} for early stopping")


def check_user_conf(report: Report, conf: Path, detail: Path, values: dict[str, Any]) -> None:
    """The run must have been made with this user.conf's duration/count settings."""
    for key, value in read_user_conf(conf).items():
        log_key = CONF_TO_DETAIL.get(key)
        if log_key is None or log_key not in values:
            continue
        try:
            same = float(value) == float(values[log_key])
        except (TypeError, ValueError):
            same = False
        if not same:
            report.error(detail, f"{log_key} is {values[log_key]} but {report.rel(conf)} sets {key} = {value}")


def check_accuracy(report: Report, sdir: Path, scenario: str, reference: float | None) -> None:
    run = sdir / "accuracy"
    if not require_files(report, run, ACC_FILES):
        return
    values = check_common(report, run / "mlperf_log_detail.txt", scenario, "AccuracyOnly") or {}
    acc_txt = run / "accuracy.txt"
    lines = acc_txt.read_text(encoding="utf-8", errors="replace").splitlines()
    match = next((m for m in (re.match(r"accuracy=([0-9.]+)%?(.*)", ln) for ln in lines) if m), None)
    hashed = next((m for m in (re.fullmatch(r"hash=([0-9a-f]{64})", ln.strip()) for ln in lines) if m), None)
    if not match:
        report.error(acc_txt, "no line starting with 'accuracy=<percent>' (the form MLPerf's checker reads)")
        return
    if not hashed:
        report.error(acc_txt, "no 'hash=<sha256 of the full accuracy log>' line")
    check_accuracy_log(report, sdir, acc_txt, hashed.group(1) if hashed else "")
    check_coverage(report, acc_txt, match.group(2), values)
    value = float(match.group(1)) / 100.0
    if reference is None:
        report.error(sdir / "measurements.json", "no reference_accuracy: cannot judge accuracy")
    elif value < ACCURACY_TARGET * reference - 1e-9:
        report.error(acc_txt, f"accuracy {100 * value:.3f}% is below {100 * ACCURACY_TARGET:.0f}% of the "
                              f"reference {100 * reference:.3f}% (needs >= {100 * ACCURACY_TARGET * reference:.3f}%)")


def check_accuracy_log(report: Report, sdir: Path, acc_txt: Path, digest: str) -> None:
    """Size limit, truncation and the hash: of the log itself, or of the full log kept aside."""
    log = sdir / "accuracy" / "mlperf_log_accuracy.json"
    data = log.read_bytes()
    if len(data) > MAX_ACCURACY_LOG_BYTES:
        report.error(log, f"{len(data)} bytes: an accuracy log over {MAX_ACCURACY_LOG_BYTES} bytes must be "
                          "truncated (first and last 4 KiB; accuracy.txt keeps the hash of the full log)")
    if TRUNCATION_MARK not in data:
        if digest and digest != sha256(log):
            report.error(acc_txt, "hash does not match mlperf_log_accuracy.json (log changed after scoring)")
        return
    full = full_log(report, sdir)
    if full is None:
        report.warn(log, "truncated; the full log is not here, so accuracy.txt's hash cannot be verified")
        return
    whole = full.read_bytes()
    if not (data.startswith(whole[:1024]) and data.endswith(whole[-1024:])):
        report.error(log, f"truncated log does not come from the full log {full}")
    if digest and digest != sha256(full):
        report.error(acc_txt, f"hash does not match the full accuracy log {full}")


def full_log(report: Report, sdir: Path) -> Path | None:
    if report.full_logs is None:
        return None
    system, model = sdir.parent.parent.name, sdir.parent.name
    path = report.full_logs / system / model / sdir.name / "mlperf_log_accuracy.json"
    return path if path.is_file() else None


def check_coverage(report: Report, acc_txt: Path, rest: str, values: dict[str, Any]) -> None:
    """The accuracy run must score the whole dataset LoadGen was given."""
    total = re.search(r"total=(\d+)", rest)
    count = values.get("effective_accuracy_sample_count") or values.get("qsl_reported_total_count")
    if total and isinstance(count, int) and int(total.group(1)) != count:
        report.error(acc_txt, f"total={total.group(1)} but LoadGen's accuracy run covered {count} samples")


def check_scenario(report: Report, sdir: Path) -> None:
    if sdir.name not in SCENARIOS:
        report.error(sdir, f"unknown scenario folder '{sdir.name}' (expected one of {', '.join(SCENARIOS)})")
        return
    require_files(report, sdir, SCENARIO_FILES)
    reference = check_measurements(report, sdir / "measurements.json") \
        if (sdir / "measurements.json").is_file() else None
    check_performance(report, sdir, sdir.name)
    check_accuracy(report, sdir, sdir.name, reference)


# -- the tree --------------------------------------------------------------------------------
def subdirs(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir()) if path.is_dir() else []


def check_tree(report: Report) -> None:
    """Every <division>/<submitter>/ of the submission, then cross-run consistency."""
    for division, base in structure.submitters(report):
        check_submitter(report, division, base)
    check_consistency(report)


def check_submitter(report: Report, division: str, base: Path) -> None:
    structure.check_names(report, base)
    for name in structure.SUBMITTER_FOLDERS:
        if not (base / name).is_dir():
            hint = " (since v6.0 the sources are in src/, not code/)" if name == "src" else ""
            report.error(base / name, f"required folder is missing{hint}")
    for path in sorted((base / "systems").glob("*.json")):
        check_system(report, path, division, base.name)
    structure.systems_without_results(report, base)
    mapping = structure.model_mapping(report, base)
    for system in subdirs(base / "results"):
        if not (base / "systems" / f"{system.name}.json").is_file():
            report.error(base / "systems" / f"{system.name}.json", f"no description of system '{system.name}'")
        for model in subdirs(system):
            check_model(report, base, model, division, mapping)


def check_model(report: Report, base: Path, model: Path, division: str, mapping: dict[str, str]) -> None:
    structure.check_model_name(report, model, division, mapping)
    src = base / "src" / model.name
    if not src.is_dir() or not any(src.iterdir()):
        report.error(src, f"no sources for model '{model.name}'")
    scenarios = subdirs(model)
    if not scenarios:
        report.error(model, "no scenario results")
    for sdir in scenarios:
        check_scenario(report, sdir)


def check_consistency(report: Report) -> None:
    if len(report.versions) > 1:
        detail = ", ".join(f"{v} ({len(f)} runs, e.g. {f[0]})" for v, f in report.versions.items())
        report.error(report.root, f"runs were made with different LoadGen versions: {detail}")
    if len(report.seeds) > 1:
        odd = sorted(report.seeds.items(), key=lambda kv: len(kv[1]))[0]
        report.error(Path(report.root / odd[1][0]), f"seeds {odd[0]} differ from the other runs")


def locate(given: Path, full_logs: str) -> tuple[Path, Path | None]:
    """(submission root, folder of full accuracy logs or None) for an output folder or a submission root."""
    root = given / "submission" if (given / "submission").is_dir() else given
    if full_logs:
        return root, Path(full_logs).resolve()
    aside = root.parent / "accuracy-logs"
    return root, aside if aside.is_dir() else None


def parse_seeds(text: str) -> tuple[int, ...] | None:
    if not text:
        return None
    parts = [int(p) for p in text.split(",")]
    if len(parts) != 3:
        raise ValueError("--expected-seeds needs 3 comma-separated integers")
    return tuple(parts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="checker.py", description=__doc__.split("\n")[0])
    p.add_argument("--input", required=True,
                   help="submission root (holds open/<submitter>/) or run-mlperf-inference's output folder")
    p.add_argument("--full-accuracy-logs", default="",
                   help="folder of untruncated accuracy logs (default: <output>/accuracy-logs when found)")
    p.add_argument("--strict", nargs="?", const="yes", default="", help="short durations are errors")
    p.add_argument("--expected-seeds", default="", help="QSL,SAMPLE_INDEX,SCHEDULE seeds to require")
    p.add_argument("--json", default="", help="also write the findings as JSON here")
    args = p.parse_args(argv)
    given = Path(args.input).resolve()
    if not given.is_dir():
        print(f"check-mlperf-submission: ERROR: {given}: not a folder", file=sys.stderr)
        return 2
    root, full_logs = locate(given, args.full_accuracy_logs)
    report = Report(root, strict=args.strict.lower() in ("yes", "true", "1"),
                    expected_seeds=parse_seeds(args.expected_seeds), full_logs=full_logs)
    check_tree(report)
    for f in report.findings:
        print(f"{f.level:<7} {f.path}: {f.message}")
    warnings = len(report.findings) - report.errors
    print(f"check-mlperf-submission: {report.errors} error(s), {warnings} warning(s) in {root}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"root": str(root), "errors": report.errors,
                       "findings": [asdict(f) for f in report.findings]}, handle, indent=2)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
