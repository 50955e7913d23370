"""Run a step function in a child process of its own that dies with its parent.

Used on Dask workers: the worker process (the parent) calls :func:`run_isolated`; the child runs
``run_one(spec)`` in a new session and, should the worker be killed, a watchdog thread kills the
child's whole process group (the step's command included), so a retried step never shares its
folder with a leftover of the attempt before. Light on purpose: no Dask import here.

On POSIX the child is a fork of the worker (``COLMIND_DASK_STEP_START=fork``, the default): no
interpreter start-up and no imports per step. The forked child only runs ``run_one`` (a file
write, a subprocess) and leaves with ``os._exit``: it never returns into the worker's code. With
``COLMIND_DASK_STEP_START=spawn`` (and on Windows) it is a new interpreter:

    python -m colmind.experiment.isolated IN.pickle OUT.pickle
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import Any

WATCH_S = 0.2
WORKER_PID_ENV = "COLMIND_DASK_WORKER_PID"  # the worker's pid, exported to the step's command
START_ENV = "COLMIND_DASK_STEP_START"  # fork (default on POSIX) | spawn


def run_isolated(run_one: Callable[[Any], Any], spec: Any, env: dict[str, str] | None = None) -> tuple[Any, str]:
    """``run_one(spec)`` in a child process: (its return value or None, why there is none)."""
    extra = {**(env or {}), WORKER_PID_ENV: str(os.getpid())}
    with tempfile.TemporaryDirectory(prefix="colmind-step-") as tmp:
        dst = os.path.join(tmp, "out.pickle")
        if hasattr(os, "fork") and os.environ.get(START_ENV, "fork") != "spawn":
            rc = _forked(run_one, spec, extra, dst)
        else:
            rc = _spawned(run_one, spec, extra, tmp, dst)
        if not os.path.isfile(dst):
            how = f"signal {-rc}" if rc < 0 else f"exit code {rc}"
            return None, f"the step process ended ({how}) without a result"
        with open(dst, "rb") as handle:
            ok, value = pickle.load(handle)
        return (value, "") if ok else (None, value)


def _forked(run_one: Callable[[Any], Any], spec: Any, env: dict[str, str], dst: str) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.setsid()
            os.environ.update(env)
            _start_watchdog(parent)
            _write_result(dst, run_one, spec)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _spawned(run_one: Callable[[Any], Any], spec: Any, env: dict[str, str], tmp: str, dst: str) -> int:
    src = os.path.join(tmp, "in.pickle")
    with open(src, "wb") as handle:
        pickle.dump((run_one, spec), handle)
    proc = subprocess.run([sys.executable, "-m", "colmind.experiment.isolated", src, dst],
                          env={**os.environ, **env}, stdin=subprocess.DEVNULL, start_new_session=True, check=False)
    return proc.returncode


def _start_watchdog(parent: int) -> None:
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Kill this process group when the parent (the worker) goes away."""
    while True:
        if os.getppid() != parent:
            os.killpg(os.getpgrp(), signal.SIGKILL)
        threading.Event().wait(WATCH_S)


def _write_result(dst: str, run_one: Callable[[Any], Any], spec: Any) -> None:
    try:
        result: tuple[bool, Any] = (True, run_one(spec))
    except Exception as exc:  # noqa: BLE001 - reported as the step's error
        result = (False, f"the step runner raised {type(exc).__name__}: {exc}")
    tmp = dst + ".tmp"
    with open(tmp, "wb") as handle:
        pickle.dump(result, handle)
    os.replace(tmp, dst)


def main(argv: list[str]) -> int:
    src, dst = argv
    _start_watchdog(os.getppid())
    with open(src, "rb") as handle:
        run_one, spec = pickle.load(handle)
    _write_result(dst, run_one, spec)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
