"""Run a step function in a child process of its own that dies with its parent.

Used on Dask workers: the worker process (the parent) calls :func:`run_isolated`; the child runs
``run_one(spec)`` in a new session and, should the worker be killed, a watchdog thread kills the
child's whole process group (the step's command included), so a retried step never shares its
folder with a leftover of the attempt before. Light on purpose: no Dask import here.

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


def run_isolated(run_one: Callable[[Any], Any], spec: Any, env: dict[str, str] | None = None) -> tuple[Any, str]:
    """``run_one(spec)`` in a child process: (its return value or None, why there is none)."""
    with tempfile.TemporaryDirectory(prefix="colmind-step-") as tmp:
        src, dst = os.path.join(tmp, "in.pickle"), os.path.join(tmp, "out.pickle")
        with open(src, "wb") as handle:
            pickle.dump((run_one, spec), handle)
        child_env = {**os.environ, **(env or {}), WORKER_PID_ENV: str(os.getpid())}
        proc = subprocess.run([sys.executable, "-m", "colmind.experiment.isolated", src, dst],
                              env=child_env, stdin=subprocess.DEVNULL, start_new_session=True, check=False)
        if not os.path.isfile(dst):
            how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
            return None, f"the step process ended ({how}) without a result"
        with open(dst, "rb") as handle:
            ok, value = pickle.load(handle)
        return (value, "") if ok else (None, value)


def _watch_parent(parent: int) -> None:
    """Kill this process group when the parent (the worker) goes away."""
    while True:
        if os.getppid() != parent:
            os.killpg(os.getpgrp(), signal.SIGKILL)
        threading.Event().wait(WATCH_S)


def main(argv: list[str]) -> int:
    src, dst = argv
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    with open(src, "rb") as handle:
        run_one, spec = pickle.load(handle)
    try:
        result: tuple[bool, Any] = (True, run_one(spec))
    except Exception as exc:  # noqa: BLE001 - reported as the step's error
        result = (False, f"the step runner raised {type(exc).__name__}: {exc}")
    tmp = dst + ".tmp"
    with open(tmp, "wb") as handle:
        pickle.dump(result, handle)
    os.replace(tmp, dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
