"""A reusable kill -9 harness: start a real writer process, SIGKILL it at a random point, check.

    stats = kill_at_random_points(WRITER_SOURCE, check=my_check, env=env, cwd=work, trials=50, seed=1)

``WRITER_SOURCE`` is Python run with ``python -c``; it prints ``ready`` (and flushes) once its
imports are done, then writes in a loop until killed. The harness kills it after a random delay
in ``window`` seconds past ``ready`` (drawn from ``random.Random(seed)``), waits for it, and calls
``check(trial)``, which asserts the invariants (files parse, commands work, the next run repaired
what the dead one left). A writer that exits on its own fails the trial unless ``may_finish``.
Used by tests/safety/test_crash.py; the experiment runner's records can use it the same way.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path


@dataclasses.dataclass
class CrashStats:
    trials: int = 0
    killed: int = 0          # killed while still writing (the point of the exercise)
    finished: int = 0        # exited on their own before the kill came
    delays: list[float] = dataclasses.field(default_factory=list)


def kill_at_random_points(writer: str, *, check: Callable[[int], None], env: Mapping[str, str],
                          cwd: str | os.PathLike[str], trials: int = 50, seed: int = 0,
                          window: tuple[float, float] = (0.0, 0.3), may_finish: bool = False,
                          ready_timeout: float = 60.0) -> CrashStats:
    rng = random.Random(seed)
    stats = CrashStats()
    for trial in range(trials):
        delay = rng.uniform(*window)
        stats.trials += 1
        stats.delays.append(delay)
        if _one_trial(writer, env, cwd, delay, ready_timeout):
            stats.killed += 1
        else:
            stats.finished += 1
            assert may_finish, f"trial {trial}: the writer exited before it was killed"
        check(trial)
    return stats


def _one_trial(writer: str, env: Mapping[str, str], cwd: str | os.PathLike[str], delay: float,
               ready_timeout: float) -> bool:
    """Run the writer, kill it ``delay`` s after it said ``ready``; whether the kill hit it alive."""
    proc = subprocess.Popen([sys.executable, "-c", writer], cwd=cwd, env=dict(env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = _read_ready(proc, ready_timeout)
        assert line.strip() == "ready", f"writer did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}"
        time.sleep(delay)
        alive = proc.poll() is None
        if alive:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        if not alive:
            err = proc.stderr.read() if proc.stderr else ""
            assert proc.returncode == 0, f"writer failed on its own (exit {proc.returncode}): {err[-2000:]}"
        return alive
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def _read_ready(proc: subprocess.Popen[str], timeout: float) -> str:
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return "(no output)"
    return proc.stdout.readline()


def leftovers(root: str | os.PathLike[str]) -> list[str]:
    """Temporary files and staging folders under ``root`` (what a killed writer leaves)."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            if name.endswith((".tmp", ".old")) or name.startswith((".cm-adding-", ".cm-deleting-")):
                found.append(str(Path(folder, name)))
    return found
