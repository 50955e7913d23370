"""onnxruntime backend: one session, a batch of inputs in, int32 class labels out.

The label is taken from the model's first integer output (e.g. skl2onnx's ``label``), else from the
argmax over the last axis of its first float output (e.g. CNN logits). ``ORT_DISABLE_TELEMETRY=1`` is
set before onnxruntime is imported. ``device='cuda'`` needs onnxruntime-gpu's CUDAExecutionProvider:
without it the backend refuses to start (no silent CPU fallback).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}
GRAPH_OPT = {"disable": "ORT_DISABLE_ALL", "basic": "ORT_ENABLE_BASIC", "extended": "ORT_ENABLE_EXTENDED",
             "all": "ORT_ENABLE_ALL"}


class DeviceUnavailable(Exception):
    """The requested device cannot be used by this onnxruntime installation."""


class InjectedFailure(RuntimeError):
    """Raised on purpose by ``--inject-failure-after`` (tests of the error path)."""


@dataclass(frozen=True)
class BackendOptions:
    model_path: str
    device: str = "cpu"
    intra_op_threads: int = 1
    inter_op_threads: int = 1
    graph_opt: str = "all"  # disable | basic | extended | all (onnxruntime's GraphOptimizationLevel)
    output_name: str = ""
    fail_after_batches: int = -1  # < 0: never; n >= 0: raise from the (n+1)-th batch on


def check_device(ort: Any, device: str) -> list[str]:
    """The provider list for ``device``, or DeviceUnavailable with what to do."""
    if device not in PROVIDERS:
        raise DeviceUnavailable(f"unknown device '{device}': use cpu or cuda")
    wanted = PROVIDERS[device]
    available = ort.get_available_providers()
    if wanted not in available:
        raise DeviceUnavailable(
            f"--device={device} needs onnxruntime's {wanted}, but this onnxruntime "
            f"{ort.__version__} only has {', '.join(available)}. Install onnxruntime-gpu (and a CUDA "
            f"driver), or run with --device=cpu.")
    return [wanted] if device == "cpu" else [wanted, PROVIDERS["cpu"]]


def _session(ort: Any, opts: BackendOptions) -> Any:
    so = ort.SessionOptions()
    so.intra_op_num_threads = max(1, opts.intra_op_threads)
    so.inter_op_num_threads = max(1, opts.inter_op_threads)
    if opts.inter_op_threads > 1:
        so.execution_mode = ort.ExecutionMode.ORT_PARALLEL
    so.graph_optimization_level = getattr(ort.GraphOptimizationLevel, GRAPH_OPT[opts.graph_opt])
    so.add_session_config_entry("session.set_denormal_as_zero", "1")
    so.log_severity_level = 3
    providers = check_device(ort, opts.device)
    sess = ort.InferenceSession(opts.model_path, sess_options=so, providers=providers)
    if sess.get_providers()[0] != providers[0]:
        raise DeviceUnavailable(
            f"onnxruntime could not initialise {providers[0]} (it fell back to {sess.get_providers()}); "
            "check the CUDA/cuDNN libraries, or run with --device=cpu.")
    return sess


def _pick_output(sess: Any, wanted: str) -> tuple[str, bool]:
    """(output name, is_label): the requested one, else the first integer output, else the first."""
    outputs = sess.get_outputs()
    if wanted:
        for out in outputs:
            if out.name == wanted:
                return out.name, "int" in out.type
        raise ValueError(f"model has no output '{wanted}' (outputs: {[o.name for o in outputs]})")
    for out in outputs:
        if "int" in out.type:
            return out.name, True
    return outputs[0].name, False


class OrtBackend:
    """Thread-safe predict(batch) -> int32 labels (ORT sessions may be run from several threads)."""

    def __init__(self, opts: BackendOptions) -> None:
        import onnxruntime as ort

        self.ort_version: str = ort.__version__
        self.session = _session(ort, opts)
        self.providers: list[str] = list(self.session.get_providers())
        self.input_name: str = self.session.get_inputs()[0].name
        self.output_name, self.output_is_label = _pick_output(self.session, opts.output_name)
        self._fail_after = opts.fail_after_batches
        self._batches = 0

    def warm_up(self, batch: Any, runs: int = 2) -> str:
        """Run the model on ``batch`` before the timed run (first runs allocate and pre-pack).

        Not counted as a batch (``--inject-failure-after`` is unaffected). An exception is returned as
        text, not raised: the LoadGen run then meets it in the SUT, which completes every sample.
        """
        try:
            for _ in range(runs):
                self.session.run([self.output_name], {self.input_name: batch})
        except Exception as exc:  # noqa: BLE001 - reported by the SUT during the run
            return f"{type(exc).__name__}: {exc}"
        return ""

    def predict(self, batch: Any) -> Any:
        import numpy as np

        self._batches += 1
        if 0 <= self._fail_after < self._batches:
            raise InjectedFailure(f"injected failure in batch {self._batches} (--inject-failure-after)")
        out = self.session.run([self.output_name], {self.input_name: batch})[0]
        if not self.output_is_label:
            out = out.argmax(axis=-1)
        return np.ascontiguousarray(out.reshape(-1), dtype=np.int32)
