"""Check an MLCommons-style result tree made by run-mlperf-inference (stdlib only).

    python checker.py --input OUT [--strict] [--expected-seeds QSL,SAMPLE,SCHEDULE] [--json report.json]

Checks: required folders, files and fields; every performance run VALID, of the right scenario and
mode, with LoadGen's seeds for its version and the settings of its user.conf; every accuracy run's
accuracy.txt matching its log (hash) and >= 99 % of the reference accuracy recorded in
measurements.json; one LoadGen version and one seed set across the tree. Short (test) durations are
warnings, errors with --strict. Every problem names the file it concerns. Exit 1 when any error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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
SYSTEM_FIELDS = ("division", "submitter", "status", "system_name", "system_type", "number_of_nodes",
                 "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
                 "host_memory_capacity", "accelerators_per_node", "accelerator_model_name",
                 "framework", "operating_system")
ACCURACY_TARGET = 0.99
CONF_TO_DETAIL = {"min_duration": "requested_min_duration_ms", "min_query_count": "requested_min_query_count",
                  "max_duration": "requested_max_duration_ms", "max_query_count": "requested_max_query_count"}


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR | WARNING
    path: str
    message: str


@dataclass
class Report:
    root: Path
    strict: bool = False
    expected_seeds: tuple[int, ...] | None = None
    findings: list[Finding] = field(default_factory=list)
    versions: dict[str, list[str]] = field(default_factory=dict)  # loadgen version -> files
    seeds: dict[tuple[Any, ...], list[str]] = field(default_factory=dict)

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def error(self, path: Path, message: str) -> None:
        self.findings.append(Finding("ERROR", self.rel(path), message))

    def warn(self, path: Path, message: str) -> None:
        self.findings.append(Finding("WARNING", self.rel(path), message))

    def soft(self, path: Path, message: str) -> None:
        """An error with --strict, a warning otherwise (test-length runs)."""
        (self.error if self.strict else self.warn)(path, message)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == "ERROR")


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


def check_system(report: Report, path: Path) -> None:
    data = read_json(report, path)
    if data is None:
        return
    for key in SYSTEM_FIELDS:
        if not str(data.get(key, "")).strip():
            report.error(path, f"system description field '{key}' is missing or empty")
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
    check_common(report, run / "mlperf_log_detail.txt", scenario, "AccuracyOnly")
    acc_txt = run / "accuracy.txt"
    text = acc_txt.read_text(encoding="utf-8", errors="replace")
    match = re.search(r"accuracy=([0-9.]+)%", text)
    hashed = re.search(r"hash=([0-9a-f]{64})", text)
    if not match:
        report.error(acc_txt, "no 'accuracy=<percent>%' line")
        return
    if not hashed:
        report.error(acc_txt, "no 'hash=<sha256>' line")
    elif hashed.group(1) != sha256(run / "mlperf_log_accuracy.json"):
        report.error(acc_txt, "hash does not match mlperf_log_accuracy.json (log changed after scoring)")
    value = float(match.group(1)) / 100.0
    if reference is None:
        report.error(sdir / "measurements.json", "no reference_accuracy: cannot judge accuracy")
    elif value < ACCURACY_TARGET * reference - 1e-9:
        report.error(acc_txt, f"accuracy {100 * value:.3f}% is below {100 * ACCURACY_TARGET:.0f}% of the "
                              f"reference {100 * reference:.3f}% (needs >= {100 * ACCURACY_TARGET * reference:.3f}%)")


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
    root = report.root
    for name in ("systems", "results", "src"):
        if not (root / name).is_dir():
            report.error(root / name, "required folder is missing")
    for path in sorted((root / "systems").glob("*.json")):
        check_system(report, path)
    for system in subdirs(root / "results"):
        if not (root / "systems" / f"{system.name}.json").is_file():
            report.error(root / "systems" / f"{system.name}.json", f"no description of system '{system.name}'")
        for model in subdirs(system):
            src = root / "src" / model.name
            if not src.is_dir() or not any(src.iterdir()):
                report.error(src, f"no sources for model '{model.name}'")
            scenarios = subdirs(model)
            if not scenarios:
                report.error(model, "no scenario results")
            for sdir in scenarios:
                check_scenario(report, sdir)
    check_consistency(report)


def check_consistency(report: Report) -> None:
    if len(report.versions) > 1:
        detail = ", ".join(f"{v} ({len(f)} runs, e.g. {f[0]})" for v, f in report.versions.items())
        report.error(report.root / "results", f"runs were made with different LoadGen versions: {detail}")
    if len(report.seeds) > 1:
        odd = sorted(report.seeds.items(), key=lambda kv: len(kv[1]))[0]
        report.error(Path(report.root / odd[1][0]), f"seeds {odd[0]} differ from the other runs")


def parse_seeds(text: str) -> tuple[int, ...] | None:
    if not text:
        return None
    parts = [int(p) for p in text.split(",")]
    if len(parts) != 3:
        raise ValueError("--expected-seeds needs 3 comma-separated integers")
    return tuple(parts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="checker.py", description=__doc__.split("\n")[0])
    p.add_argument("--input", required=True, help="root of the tree (holds systems/, src/, results/)")
    p.add_argument("--strict", nargs="?", const="yes", default="", help="short durations are errors")
    p.add_argument("--expected-seeds", default="", help="QSL,SAMPLE_INDEX,SCHEDULE seeds to require")
    p.add_argument("--json", default="", help="also write the findings as JSON here")
    args = p.parse_args(argv)
    root = Path(args.input).resolve()
    if not root.is_dir():
        print(f"check-mlperf-submission: ERROR: {root}: not a folder", file=sys.stderr)
        return 2
    report = Report(root, strict=args.strict.lower() in ("yes", "true", "1"),
                    expected_seeds=parse_seeds(args.expected_seeds))
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
