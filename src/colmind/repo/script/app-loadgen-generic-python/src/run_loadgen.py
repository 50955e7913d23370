"""One LoadGen run inside the harness child process: dataset, backend, settings, QSL, SUT, logs."""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import lg_backend
import lg_calibrate
import lg_config
import lg_logs
import lg_qsl
import lg_sut


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def thread_plan(args: argparse.Namespace) -> tuple[int, int]:
    """(worker threads, onnxruntime intra-op threads): inline scenarios give ORT every core."""
    cores = cpu_count()
    workers = args.threads if args.threads > 0 else cores
    inline = args.calibrate or args.scenario in lg_sut.INLINE_SCENARIOS
    intra = args.intra_op_threads if args.intra_op_threads > 0 else (
        cores if inline else max(1, cores // workers))
    return workers, intra


def make_backend(args: argparse.Namespace, intra: int) -> lg_backend.OrtBackend:
    return lg_backend.OrtBackend(lg_backend.BackendOptions(
        model_path=args.model, device=args.device, intra_op_threads=intra,
        inter_op_threads=getattr(args, "inter_op_threads", 1), graph_opt=getattr(args, "graph_opt", "all"),
        output_name=args.output_name, fail_after_batches=args.inject_failure_after))


def make_log_settings(lg: Any, outdir: str, trace: bool) -> Any:
    os.makedirs(outdir, exist_ok=True)  # LoadGen would run without logs and abort at exit
    log = lg.LogSettings()
    log.log_output.outdir = outdir
    log.log_output.copy_summary_to_stdout = False
    log.enable_trace = trace
    return log


def backend_info(backend: lg_backend.OrtBackend) -> dict[str, Any]:
    return {"onnxruntime": backend.ort_version, "providers": backend.providers,
            "input": backend.input_name, "output": backend.output_name,
            "output_is_label": backend.output_is_label}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Calibration or one LoadGen test; returns the result dict (status ok|error)."""
    dataset = lg_qsl.load_dataset(args.dataset)
    workers, intra = thread_plan(args)
    backend = make_backend(args, intra)
    info = {"backend": backend_info(backend), "dataset_samples": dataset.count,
            "settings": {"device": args.device, "threads": workers, "intra_op_threads": intra,
                         "inter_op_threads": getattr(args, "inter_op_threads", 1),
                         "graph_opt": getattr(args, "graph_opt", "all"),
                         "batch_size": args.batch_size, "fast_sut": not args.no_fast_sut,
                         "trace": bool(args.trace)}}
    if args.calibrate:
        return {"status": "ok", "message": "", **info,
                "calibration": lg_calibrate.calibrate(backend, dataset.x, args.batch_size)}
    return {**info, **run_test(args, dataset, backend, workers)}


def run_test(args: argparse.Namespace, dataset: lg_qsl.Dataset, backend: Any, workers: int) -> dict[str, Any]:
    import mlperf_loadgen as lg

    spec = lg_config.RunSpec(args.model_name, args.scenario, args.mode)
    settings = lg_config.make_test_settings(lg, args.user_conf, spec)
    log_settings = make_log_settings(lg, args.output_dir, args.trace)
    qsl = lg_qsl.construct_qsl(lg, dataset, args.performance_sample_count)
    sut = lg_sut.Sut(lg, backend, dataset.x, lg_sut.SutOptions(
        scenario=args.scenario, workers=workers, batch_size=args.batch_size, fast=not args.no_fast_sut))
    warm_up_error = backend.warm_up(dataset.x[:max(1, args.batch_size)])
    sut.start()
    started = time.perf_counter()
    try:
        lg.StartTestWithLogSettings(sut.handle, qsl, settings, log_settings)
    finally:
        elapsed = time.perf_counter() - started
        sut.stop()
        lg.DestroyQSL(qsl)
    result = collect(args, sut.stats, elapsed)
    result["warm_up_error"] = warm_up_error
    return result


def collect(args: argparse.Namespace, stats: lg_sut.SutStats, elapsed: float) -> dict[str, Any]:
    """Turn SUT counters and LoadGen's detail log into the run result."""
    log = lg_logs.parse_detail(os.path.join(args.output_dir, "mlperf_log_detail.txt"))
    result: dict[str, Any] = {
        "samples": {"issued": stats.issued, "completed": stats.completed, "failed": stats.failed,
                    "batches": stats.batches},
        "errors": stats.errors, "loadgen": lg_logs.common_result(log),
        "timing": {"start_test_s": round(elapsed, 4)},
    }
    if args.mode == "performance":
        result["performance"] = lg_logs.performance_result(log, args.scenario)
    if stats.errors:
        result["status"] = "error"
        result["message"] = (f"inference failed for {stats.failed} of {stats.issued} samples "
                             f"(completed with empty responses): {stats.errors[0]}")
    elif stats.completed != stats.issued:
        result["status"] = "error"
        result["message"] = f"{stats.issued} samples issued but {stats.completed} completed"
    else:
        result["status"] = "ok"
        result["message"] = ""
    return result
