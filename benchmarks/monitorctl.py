"""colmind's index monitor as the benchmarks see it: wait until it answers, stop it, find leftovers.

colmind (``CM_INDEX_MONITOR=auto``, the default) starts a background monitor
(``python -m colmind.store.monitord <CM_REPOS>``) once a query had to stat-check at least
``colmind.store.monitor.AUTO_THRESHOLD`` artifacts; later queries ask it what changed instead of
checking every artifact. A benchmark of the default therefore waits until the monitor answers
before it measures (and records how long that took), and stops every monitor it started.

Everything that talks to the monitor runs in colmind's own interpreter (``colmind_python()``) with
the tool's environment, through the small snippets below (``request`` from
``colmind.store.monitor``). A client with the monitor off clears the tokens of monitor-on clients,
so monitor-on and monitor-off runs always use separate homes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from toolenv import colmind_python

# argv: CM_REPOS, artifacts the first query checked, long wait (s), short wait (s), poll interval (s)
WAIT_SNIPPET = r"""
import json, sys, time
repos, checked, long_wait, short_wait, poll = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:6])
try:
    from colmind.store.monitor import AUTO_THRESHOLD, request, setting
except Exception as exc:
    print(json.dumps({"error": f"cannot import colmind.store.monitor: {type(exc).__name__}: {exc}"}))
    sys.exit(0)
mode = setting()
expected = mode == "yes" or (mode == "auto" and checked >= AUTO_THRESHOLD)
deadline = time.monotonic() + (long_wait if expected else short_wait if mode != "no" else 0.0)
polls, report = 0, None
while True:
    polls += 1
    report = request(repos, "since 0")
    if report is not None or time.monotonic() > deadline:
        break
    time.sleep(poll)
print(json.dumps({"ready": report is not None, "at": time.time(), "polls": polls, "expected": expected,
                  "threshold": AUTO_THRESHOLD, "setting": mode,
                  "roots": len(report.roots) if report is not None else 0}))
"""

STOP_SNIPPET = r"""
import json, sys
from colmind.store.monitor import request
was = request(sys.argv[1], "since 0") is not None
if was:
    request(sys.argv[1], "stop")
print(json.dumps({"was_running": was}))
"""


def _run_snippet(code: str, args: list[str], env: dict[str, str], cwd: str, timeout: float) -> dict[str, Any]:
    try:
        proc = subprocess.run([colmind_python(), "-c", code, *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"monitor helper did not finish within {timeout:.0f} s"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": f"monitor helper rc={proc.returncode}: {(proc.stderr or proc.stdout).strip()[-500:]}"}
    data = json.loads(lines[-1])
    return data if isinstance(data, dict) else {"error": "monitor helper printed no object"}


def wait_ready(repos: Path, env: dict[str, str], cwd: str, *, since: float, checked: int,
               long_wait: float = 60.0, short_wait: float = 2.0) -> dict[str, Any]:
    """Poll until the monitor of ``repos`` answers.

    ``since`` is the ``time.time()`` at which the query that should start it ended; ``checked`` the
    number of artifacts that query had to check. Waits up to ``long_wait`` seconds when colmind's
    own threshold says a monitor should start, else ``short_wait`` (to show that none did).
    Returns ``ready``, ``ready_s`` (seconds from ``since`` to the first answer), ``expected``,
    ``threshold`` and ``setting``.
    """
    info = _run_snippet(WAIT_SNIPPET, [str(repos), str(checked), str(long_wait), str(short_wait), "0.01"], env, cwd,
                        timeout=long_wait + 30)
    if info.get("ready"):
        info["ready_s"] = max(0.0, info["at"] - since)
    else:
        info["ready_s"] = None
    info.pop("at", None)
    return info


def running(repos: Path) -> list[tuple[int, str]]:
    """The monitor processes (pid, command line) serving ``repos`` (like ``ps aux | grep monitord``)."""
    try:
        out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = []
    for line in out.splitlines():
        pid, _, args = line.strip().partition(" ")
        if "colmind.store.monitord" in args and str(repos) in args.split() and pid.isdigit():
            found.append((int(pid), args.strip()))
    return found


def running_under(root: Path) -> list[str]:
    """Every monitor process whose ``$CM_REPOS`` lies under ``root`` (the benchmark's own homes)."""
    try:
        out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    prefix = str(root).rstrip("/") + "/"
    return [line.strip() for line in out.splitlines()
            if "colmind.store.monitord" in line and any(arg.startswith(prefix) for arg in line.split())]


def stop(repos: Path, env: dict[str, str], cwd: str, wait: float = 5.0) -> dict[str, Any]:
    """Stop the monitor of ``repos`` (if any) and check that no monitor process is left for it.

    A monitor that is still there after ``wait`` seconds (it did not answer ``stop``) is sent
    SIGTERM by its pid; ``left`` lists what was still running before that, ``killed`` what got it.
    """
    result: dict[str, Any] = {"was_running": False, "left": [], "killed": []}
    if repos.is_dir():
        result.update(_run_snippet(STOP_SNIPPET, [str(repos)], env, cwd, timeout=30))
    deadline = time.monotonic() + wait
    left = running(repos)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = running(repos)
    result["left"] = [f"{pid} {args}" for pid, args in left]
    for pid, _ in left:
        try:
            os.kill(pid, signal.SIGTERM)
            result["killed"].append(pid)
        except OSError:
            pass
    return result


def describe(info: dict[str, Any] | None) -> str:
    """One line for the console / the report."""
    if not info:
        return "n/a"
    if info.get("error"):
        return f"error: {info['error']}"
    if info.get("ready"):
        return f"ready {info['ready_s']:.2f} s after the first query"
    if info.get("setting") == "no":
        return "off (CM_INDEX_MONITOR=no)"
    if not info.get("expected"):
        return f"not started (below the {info.get('threshold', 0):,}-artifact threshold)"
    return "EXPECTED BUT DID NOT ANSWER"
