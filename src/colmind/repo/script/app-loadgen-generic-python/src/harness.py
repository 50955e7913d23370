"""Generic MLPerf LoadGen harness for ONNX classification models (runs under the managed venv).

One call = one LoadGen run (one scenario, one mode) in its OWN child process under a hard timeout:
the parent re-executes this file with ``--child``, waits, kills the child's whole process group on
timeout, and makes sure a result JSON exists whatever happened. Exit codes:
0 ok, 1 inference error (every sample was still completed), 2 bad input/config/device,
3 the child crashed, 124 timeout.

    python harness.py --model m.onnx --dataset DIR --scenario Offline --mode performance \
        --output-dir runs/Offline/performance/run_1 --user-conf user.conf --set min_duration=1000

``--calibrate`` times the plain backend instead (used to pick LoadGen's expected latency/QPS).
Must not import colmind: this file runs with the managed venv's interpreter.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from typing import Any

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lg_config  # noqa: E402
import lg_io  # noqa: E402

EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_CRASH, EXIT_TIMEOUT = 0, 1, 2, 3, 124
STATUS_CODES = {"ok": EXIT_OK, "error": EXIT_ERROR, "config_error": EXIT_CONFIG,
                "crashed": EXIT_CRASH, "timeout": EXIT_TIMEOUT}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="harness.py", description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="ONNX model file")
    p.add_argument("--dataset", required=True, help="folder with val.npz (x, y) or the npz itself")
    p.add_argument("--model-name", default="", help="name used in user.conf (default: model file stem)")
    p.add_argument("--scenario", default="Offline")
    p.add_argument("--mode", default="performance", help="performance | accuracy")
    p.add_argument("--output-dir", default="", help="LoadGen log folder (created)")
    p.add_argument("--user-conf", default="", help="user.conf to use; written from --set if given")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="user.conf setting for this model/scenario (repeatable), e.g. min_duration=1000")
    p.add_argument("--device", default="cpu", help="cpu | cuda")
    p.add_argument("--threads", type=int, default=0, help="worker threads (Server/Offline); 0 = CPU count")
    p.add_argument("--intra-op-threads", type=int, default=0, help="onnxruntime intra-op threads; 0 = auto")
    p.add_argument("--inter-op-threads", type=int, default=1,
                   help="onnxruntime inter-op threads; above 1 the session runs independent nodes in parallel")
    p.add_argument("--graph-opt", default="all", choices=["disable", "basic", "extended", "all"],
                   help="onnxruntime graph optimization level")
    p.add_argument("--batch-size", type=int, default=32, help="max samples per inference call")
    p.add_argument("--no-fast-sut", action="store_true", help="use ConstructSUT instead of ConstructFastSUT")
    p.add_argument("--performance-sample-count", type=int, default=0, help="0 = whole dataset")
    p.add_argument("--output-name", default="", help="model output holding labels or scores")
    p.add_argument("--trace", action="store_true", help="write LoadGen's (big, slow) trace")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds before the run is killed")
    p.add_argument("--result-json", default="", help="result file (default: <output-dir>/harness_result.json)")
    p.add_argument("--calibrate", action="store_true", help="time the plain backend instead of LoadGen")
    p.add_argument("--inject-failure-after", type=int, default=-1, help=argparse.SUPPRESS)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.child:
        return child_main(args)
    return parent_main(args, argv)


# -- parent: validate, write user.conf, supervise the child ------------------------------------
def resolve_paths(args: argparse.Namespace) -> None:
    """Fill defaults that depend on other arguments; raise ConfigError on bad input."""
    if not os.path.isfile(args.model):
        raise lg_config.ConfigError(f"model file not found: {args.model}")
    args.model_name = args.model_name or os.path.splitext(os.path.basename(args.model))[0]
    if not args.calibrate:
        args.scenario = lg_config.normalize_scenario(args.scenario)
        args.mode = lg_config.normalize_mode(args.mode)
        if not args.output_dir:
            raise lg_config.ConfigError("--output-dir is required for a LoadGen run")
    if args.output_dir:
        args.output_dir = os.path.abspath(args.output_dir)
    if not args.result_json:
        if not args.output_dir:
            raise lg_config.ConfigError("give --result-json or --output-dir")
        args.result_json = os.path.join(args.output_dir, "harness_result.json")


def prepare_user_conf(args: argparse.Namespace) -> None:
    """Write user.conf from --set values (keys checked), or check the given one exists."""
    if args.calibrate:
        return
    if args.set or not args.user_conf:
        args.user_conf = args.user_conf or os.path.join(args.output_dir, "user.conf")
        values = lg_config.parse_assignments(args.set)
        lg_io.write_text(args.user_conf, lg_config.render_user_conf(args.model_name, args.scenario, values))
    elif not os.path.isfile(args.user_conf):
        raise lg_config.ConfigError(f"user.conf not found: {args.user_conf}")
    args.user_conf = os.path.abspath(args.user_conf)


def parent_main(args: argparse.Namespace, argv: list[str]) -> int:
    started = time.monotonic()
    try:
        resolve_paths(args)
        prepare_user_conf(args)
        if args.output_dir:
            os.makedirs(args.output_dir, exist_ok=True)  # LoadGen does not create it
    except (lg_config.ConfigError, OSError) as exc:
        return fail_early(args, str(exc))
    if os.path.exists(args.result_json):
        os.unlink(args.result_json)
    child_argv = [sys.executable, os.path.abspath(__file__), *normalized_argv(args, argv), "--child"]
    rc, timed_out = run_child(child_argv, args.timeout)
    result = finish_result(args, rc, timed_out, time.monotonic() - started)
    report(result)
    return STATUS_CODES.get(result["status"], EXIT_ERROR)


def normalized_argv(args: argparse.Namespace, argv: list[str]) -> list[str]:
    """The child gets the resolved paths (it must not rewrite user.conf)."""
    extra = ["--result-json", args.result_json, "--model-name", args.model_name]
    if not args.calibrate:
        extra += ["--user-conf", args.user_conf, "--output-dir", args.output_dir,
                  "--scenario", args.scenario, "--mode", args.mode]
    return [a for a in drop_set_options(argv)] + extra


def drop_set_options(argv: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for item in argv:
        if skip:
            skip = False
            continue
        if item == "--set":
            skip = True
            continue
        if item.startswith("--set="):
            continue
        out.append(item)
    return out


def run_child(cmd: list[str], timeout: float) -> tuple[int, bool]:
    """Run the child in its own process group; kill the group on timeout."""
    env = dict(os.environ, ORT_DISABLE_TELEMETRY="1")
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    try:
        return proc.wait(timeout=timeout), False
    except subprocess.TimeoutExpired:
        kill_group(proc)
        return proc.returncode if proc.returncode is not None else -signal.SIGKILL, True
    except KeyboardInterrupt:
        kill_group(proc)
        raise


def kill_group(proc: subprocess.Popen[Any]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def finish_result(args: argparse.Namespace, rc: int, timed_out: bool, elapsed: float) -> dict[str, Any]:
    """The child's result JSON, or one describing how the child ended."""
    result: dict[str, Any] = {}
    if not timed_out and os.path.isfile(args.result_json):
        try:
            result = lg_io.read_json(args.result_json)
        except ValueError:
            result = {}
    if timed_out:
        result = base_result(args, "timeout",
                             f"run killed after the {args.timeout:g} s timeout (raise --timeout or shorten "
                             "min_duration; a SUT that never completes a sample also ends here)")
    elif not result:
        how = f"signal {-rc}" if rc < 0 else f"exit code {rc}"
        result = base_result(args, "crashed", f"the harness process died ({how}) without a result")
    result["wall_s"] = round(elapsed, 3)
    lg_io.write_json(args.result_json, result)
    return result


def fail_early(args: argparse.Namespace, message: str) -> int:
    result = base_result(args, "config_error", message)
    if getattr(args, "result_json", ""):
        lg_io.write_json(args.result_json, result)
    report(result)
    return EXIT_CONFIG


def base_result(args: argparse.Namespace, status: str, message: str) -> dict[str, Any]:
    return {
        "status": status, "message": message, "model": os.path.abspath(args.model),
        "model_name": args.model_name, "dataset": os.path.abspath(args.dataset),
        "scenario": "" if args.calibrate else args.scenario, "mode": "" if args.calibrate else args.mode,
        "output_dir": args.output_dir, "user_conf": args.user_conf,
    }


def report(result: dict[str, Any]) -> None:
    """One line on stdout; problems on stderr."""
    what = f"{result.get('scenario') or 'calibration'} {result.get('mode', '')}".strip()
    perf = result.get("performance") or {}
    line = f"harness: {what}: {result['status']}"
    if perf:
        line += f", {perf.get('validity')}, {perf.get('metric')}={perf.get('metric_value')}"
    print(line, flush=True)
    if result["status"] != "ok":
        print(f"harness: ERROR: {result.get('message', '')}", file=sys.stderr, flush=True)


# -- child: the actual run -----------------------------------------------------------------
def child_main(args: argparse.Namespace) -> int:
    import run_loadgen

    try:
        result = run_loadgen.run(args)
    except Exception as exc:  # configuration, dataset, device or model problems
        result = base_result(args, "config_error", f"{type(exc).__name__}: {exc}")
    lg_io.write_json(args.result_json, {**base_result(args, result["status"], result.get("message", "")),
                                        **result})
    return STATUS_CODES.get(result["status"], EXIT_ERROR)


if __name__ == "__main__":
    sys.exit(main())
