"""Run one experiment step in its own process, in its step folder (picklable: executors ship it).

The step folder gets CM's files: ``cm-input.json`` (``native-run`` input with env and command),
``tmp-native-run.sh`` (``.bat`` on Windows: exports + command) and whatever the command writes,
notably ``cm-output.json``, which becomes the step's record.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
from datetime import datetime

from colmind.experiment.model import StepOutcome, StepSpec, flatten

OUTPUT_FILE = "cm-output.json"
LOG_FILE = "cm-step.log"
NATIVE_RUN = "script,5b4e0237da074764"


def run_step(spec: StepSpec) -> StepOutcome:
    """Run ``spec.command`` in ``spec.step_dir`` with ``spec.env`` exported; never raises for the
    command's own failure (it is in the outcome's ``rc``/``error``)."""
    os.makedirs(spec.step_dir, exist_ok=True)
    stale = os.path.join(spec.step_dir, OUTPUT_FILE)
    if os.path.isfile(stale):
        os.remove(stale)
    script = _write_files(spec)
    started = datetime.now().isoformat()
    t0 = time.perf_counter()
    rc, error = _execute(spec, script)
    duration = time.perf_counter() - t0
    output, out_error = read_output(spec.step_dir)
    return StepOutcome(spec=spec, rc=rc, started=started, duration_s=duration, host=socket.gethostname(),
                       output=output, error=error or out_error)


def _write_files(spec: StepSpec) -> str:
    from colmind.store import atomic

    command = spec.command if isinstance(spec.command, str) else shlex.join(spec.command)
    # not fsync'ed (still atomic): a record of what runs, which a crash may lose with the step itself
    atomic.write_text(os.path.join(spec.step_dir, "cm-input.json"), atomic.dump_json(
        {"action": "native-run", "automation": NATIVE_RUN, "env": spec.env, "command": command}, sort_keys=False),
        durable=False)
    if sys.platform == "win32":  # pragma: no cover - Windows
        name = "tmp-native-run.bat"
        lines = ["@echo off"] + [f'set "{k}={v}"' for k, v in spec.env.items()] + [command]
    else:
        name = "tmp-native-run.sh"
        lines = ["#!/bin/bash"] + [f"export {k}={shlex.quote(v)}" for k, v in spec.env.items()] + [command]
    path = os.path.join(spec.step_dir, name)
    atomic.write_text(path, "\n".join(lines) + "\n", durable=False)
    os.chmod(path, 0o755)
    return path


def _execute(spec: StepSpec, script: str) -> tuple[int, str | None]:
    env = {**os.environ, **spec.env}
    if isinstance(spec.command, list):
        argv = list(spec.command)
    elif sys.platform == "win32":  # pragma: no cover - Windows
        argv = ["cmd", "/c", script]
    else:
        argv = ["bash", script]
    log = open(os.path.join(spec.step_dir, LOG_FILE), "wb") if spec.capture else None
    try:
        proc = subprocess.run(argv, cwd=spec.step_dir, env=env, stdin=subprocess.DEVNULL,
                              stdout=log, stderr=subprocess.STDOUT if log else None, check=False)
    except OSError as exc:
        return 127, f"could not start the step command: {exc}"
    finally:
        if log is not None:
            log.close()
    if proc.returncode != 0:
        return proc.returncode, f"the step command exited with {proc.returncode}"
    return 0, None


def read_output(step_dir: str) -> tuple[dict[str, object], str | None]:
    """The step's ``cm-output.json`` flattened (``{}`` if it wrote none), and a problem with it."""
    path = os.path.join(step_dir, OUTPUT_FILE)
    if not os.path.isfile(path):
        return {}, None
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        return {}, f"{OUTPUT_FILE} is not valid JSON: {exc}"
    if not isinstance(data, dict):
        return {"output": data}, None
    return flatten(data), None
