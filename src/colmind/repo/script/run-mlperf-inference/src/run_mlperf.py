"""Run an MLPerf-inference-style benchmark with the official LoadGen and build the result tree.

    python run_mlperf.py --model digits --model-path digits.onnx --dataset DIR --reference-accuracy 0.98 \
        --scenario all --mode all --execution-mode test --device cpu --output-dir OUT

Steps: check inputs -> calibrate the plain backend (also proves the device works) -> for each
scenario: user.conf, performance run, accuracy run (each one harness process under a timeout) ->
accuracy.txt (full accuracy log kept aside, the tree's copy truncated) -> systems/, src/,
model_mapping.json, measurements.json -> summary.json + table. The submission tree is
OUT/submission/open/<submitter>/ (see tree.py). Exit codes: 0 every run
finished (VALID or not: see the table), 1 a run failed/timed out/crashed, 2 bad input or device.
Empty option values mean "not given" (the CM run.sh passes every option, set or not).
Must not import colmind: runs with the managed venv's interpreter.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import accuracy  # noqa: E402
import run_settings  # noqa: E402
import summary  # noqa: E402
import tree  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_HARNESS = HERE.parent.parent / "app-loadgen-generic-python" / "src" / "harness.py"
MODES = ("performance", "accuracy")


class PlanError(Exception):
    """Bad or missing input; the message says what to fix."""


@dataclass
class Plan:
    model: str
    model_path: str
    dataset: str
    reference_accuracy: float | None
    scenarios: list[str]
    modes: list[str]
    execution_mode: str
    device: str
    root: Path
    system: str
    harness: str
    threads: int
    batch_size: int
    timeout: float
    overrides: run_settings.Overrides
    extra_harness_args: list[str] = field(default_factory=list)
    run_only_args: list[str] = field(default_factory=list)  # LoadGen runs only, not the calibration
    quiet: bool = False
    submitter: str = "colmind"

    @property
    def layout(self) -> tree.Layout:
        return tree.Layout(self.root, self.submitter, self.system, self.model)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run_mlperf.py", description=__doc__.split("\n")[0])
    for name, default in (("model", "digits"), ("model-path", ""), ("dataset", ""),
                          ("reference-accuracy", ""), ("scenario", "Offline"), ("mode", "all"),
                          ("execution-mode", "test"), ("device", "cpu"), ("output-dir", ""),
                          ("system-name", ""), ("threads", ""), ("batch-size", ""), ("timeout", ""),
                          ("harness", ""), ("target-qps", ""), ("target-latency", ""),
                          ("submitter", "")):
        p.add_argument(f"--{name}", default=default)
    p.add_argument("--quiet", nargs="?", const="yes", default="")
    p.add_argument("--trace", nargs="?", const="yes", default="")
    p.add_argument("--no-fast-sut", nargs="?", const="yes", default="")
    # Tests of the error path: the harness's backend raises from its (n+1)-th batch of a LoadGen run.
    p.add_argument("--inject-failure-after", default="", help=argparse.SUPPRESS)
    return p


def _flag(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "1", "on")


def _number(value: str, name: str, default: float) -> float:
    if not value.strip():
        return default
    try:
        return float(value)
    except ValueError:
        raise PlanError(f"--{name} needs a number, got '{value}'") from None


def _reference(value: str) -> float | None:
    if not value.strip():
        return None
    ref = _number(value, "reference-accuracy", 0.0)
    return ref / 100.0 if ref > 1.0 else ref


def _system_name(value: str, device: str) -> str:
    name = value.strip() or f"{platform.node() or 'host'}-onnxruntime-{device}"
    return _folder_name(name)


def _folder_name(name: str) -> str:
    """A name usable as a folder of a submission (no spaces, no leading dot)."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", name).lstrip(".") or "_"


def make_plan(args: argparse.Namespace) -> Plan:
    """Validate the inputs and fill defaults."""
    for label, path in (("--model-path", args.model_path), ("--dataset", args.dataset)):
        if not path or not os.path.exists(path):
            raise PlanError(f"{label} is missing or does not exist: '{path}'")
    if args.execution_mode not in ("test", "valid"):
        raise PlanError(f"--execution-mode must be test or valid, not '{args.execution_mode}'")
    if args.device not in ("cpu", "cuda"):
        raise PlanError(f"--device must be cpu or cuda, not '{args.device}'")
    harness = args.harness or os.environ.get("CM_MLPERF_LOADGEN_HARNESS", "") or str(DEFAULT_HARNESS)
    if not os.path.isfile(harness):
        raise PlanError(f"harness not found: {harness}")
    try:
        scenarios = run_settings.expand(args.scenario, run_settings.SCENARIOS)
        modes = run_settings.expand(args.mode, MODES)
    except ValueError as exc:
        raise PlanError(str(exc)) from None
    default_timeout = 300.0 if args.execution_mode == "test" else 2400.0
    return Plan(
        model=args.model, model_path=os.path.abspath(args.model_path), dataset=os.path.abspath(args.dataset),
        reference_accuracy=_reference(args.reference_accuracy), scenarios=scenarios, modes=modes,
        execution_mode=args.execution_mode, device=args.device,
        root=Path(args.output_dir or os.path.join(os.getcwd(), "mlperf-results")).resolve(),
        system=_system_name(args.system_name, args.device), harness=os.path.abspath(harness),
        threads=int(_number(args.threads, "threads", 0)), batch_size=int(_number(args.batch_size, "batch-size", 32)),
        timeout=_number(args.timeout, "timeout", default_timeout),
        overrides=run_settings.Overrides(_number(args.target_qps, "target-qps", 0.0),
                                         _number(args.target_latency, "target-latency", 0.0)),
        extra_harness_args=(["--trace"] if _flag(args.trace) else [])
        + (["--no-fast-sut"] if _flag(args.no_fast_sut) else []),
        run_only_args=(["--inject-failure-after", str(int(_number(args.inject_failure_after, "inject-failure-after",
                                                                   -1)))] if args.inject_failure_after.strip() else []),
        quiet=_flag(args.quiet), submitter=_folder_name(args.submitter.strip() or "colmind"))


# -- harness calls -------------------------------------------------------------------------
def harness_cmd(plan: Plan, result_json: Path) -> list[str]:
    cmd = [sys.executable, plan.harness, "--model", plan.model_path, "--dataset", plan.dataset,
           "--model-name", plan.model, "--device", plan.device, "--batch-size", str(plan.batch_size),
           "--timeout", str(plan.timeout), "--result-json", str(result_json), *plan.extra_harness_args]
    if plan.threads > 0:
        cmd += ["--threads", str(plan.threads)]
    return cmd


def call_harness(cmd: list[str], result_json: Path) -> dict[str, Any]:
    """Run the harness (it enforces the timeout itself) and read its result JSON."""
    subprocess.run(cmd, check=False)
    try:
        return dict(tree_read_json(result_json))
    except (OSError, ValueError):
        return {"status": "crashed", "message": f"the harness wrote no result ({result_json})"}


def tree_read_json(path: Path) -> Any:
    import json

    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def calibrate(plan: Plan) -> tuple[run_settings.Calibration, dict[str, Any]]:
    result_json = plan.layout.runs() / "calibration.json"
    result = call_harness(harness_cmd(plan, result_json) + ["--calibrate"], result_json)
    if result.get("status") != "ok":
        raise PlanError(f"calibration failed: {result.get('message', 'no message')}")
    cal = result["calibration"]
    workers = int(result.get("settings", {}).get("threads", 1))
    return run_settings.Calibration(cal["latency_bs1_ms"], cal["latency_bs8_ms"],
                                    cal["throughput_samples_per_s"], workers), result


def run_one(plan: Plan, scenario: str, mode: str, values: dict[str, str]) -> dict[str, Any]:
    """One harness run writing straight into the tree."""
    run_dir = plan.layout.mode_dir(scenario, mode)
    tree.reset_dir(run_dir)
    sdir = plan.layout.scenario_dir(scenario)
    result_json = plan.layout.runs() / scenario / f"{mode}.json"
    cmd = harness_cmd(plan, result_json) + [
        "--scenario", scenario, "--mode", mode, "--output-dir", str(run_dir),
        "--user-conf", str(sdir / "user.conf"), *plan.run_only_args]
    for key, value in sorted(values.items()):
        cmd += ["--set", f"{key}={value}"]
    result = call_harness(cmd, result_json)
    if "--trace" not in plan.extra_harness_args:
        tree.drop_empty_trace(run_dir)
    if mode == "accuracy":
        result["accuracy"] = score_accuracy(plan, run_dir, scenario)
    return result


def score_accuracy(plan: Plan, run_dir: Path, scenario: str) -> dict[str, Any] | None:
    """accuracy.txt from the full log, then the full log aside and the tree's copy truncated."""
    log = run_dir / "mlperf_log_accuracy.json"
    if not log.is_file():
        return None
    try:
        res = accuracy.score_run(str(log), plan.dataset, str(run_dir / "accuracy.txt"))
        tree.publish_accuracy_log(run_dir, plan.layout.full_accuracy_log(scenario))
    except (OSError, ValueError, KeyError) as exc:
        return {"accuracy": None, "error": str(exc), "meets_target": False, "target": None}
    target = None if plan.reference_accuracy is None else 0.99 * plan.reference_accuracy
    return {"accuracy": res.accuracy, "good": res.good, "total": res.total, "empty": res.empty,
            "missing": res.missing, "target": target,
            "meets_target": None if target is None else res.accuracy >= target - 1e-12}


# -- the whole benchmark ---------------------------------------------------------------------
def run_scenarios(plan: Plan, cal: run_settings.Calibration, info: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    command = " ".join(sys.argv)
    for scenario in plan.scenarios:
        values = run_settings.loadgen_values(scenario, plan.execution_mode, cal, plan.overrides)
        runs = {mode: run_one(plan, scenario, mode, values) for mode in plan.modes}
        tree.write_scenario_files(plan.layout.scenario_dir(scenario), info, scenario,
                                  plan.execution_mode, command)
        rows.append(summary.scenario_row(scenario, runs.get("performance"), runs.get("accuracy")))
    return rows


def write_metadata(plan: Plan, cal_result: dict[str, Any], info: dict[str, Any]) -> None:
    backend = cal_result.get("backend", {})
    framework = f"onnxruntime {backend.get('onnxruntime', '?')} ({', '.join(backend.get('providers', []))})"
    desc = tree.system_description(plan.system, plan.device, framework, os.environ, plan.submitter)
    base = plan.layout.base
    tree.write_json(base / "systems" / f"{plan.system}.json", desc)
    tree.write_sources(base, plan.model, Path(plan.harness).parent, info)
    tree.write_model_mapping(base, plan.model)
    tree.write_submission_readme(plan.layout)


def execute(plan: Plan) -> dict[str, Any]:
    cal, cal_result = calibrate(plan)
    samples = int(cal_result.get("dataset_samples", 0))
    info = tree.model_info(plan.model, plan.model_path, plan.dataset, plan.reference_accuracy or 0.0, samples)
    if plan.reference_accuracy is None:
        info["reference_accuracy"] = None
    write_metadata(plan, cal_result, info)
    rows = run_scenarios(plan, cal, info)
    meta = {"model": plan.model, "system": plan.system, "execution_mode": plan.execution_mode,
            "device": plan.device, "output_dir": str(plan.root),
            "submission_dir": str(plan.layout.submission), "submitter": plan.submitter,
            "results_dir": str(plan.layout.base / "results"),
            "loadgen_harness": plan.harness, "calibration": cal_result.get("calibration"),
            "reference_accuracy": plan.reference_accuracy}
    result = summary.build(meta, rows)
    tree.write_json(plan.root / "summary.json", result)
    return result


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        plan = make_plan(args)
        plan.root.mkdir(parents=True, exist_ok=True)
        result = execute(plan)
    except PlanError as exc:
        print(f"run-mlperf-inference: ERROR: {exc}", file=sys.stderr)
        return 2
    print(summary.table(result))
    if result["errors"]:
        print("run-mlperf-inference: ERROR: " + " | ".join(result["errors"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
