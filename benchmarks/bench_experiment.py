"""Experiments: a 100-step ``echo`` sweep, colmind vs cmind 4.2 + cm4mlops' experiment automation,
and ``--jobs 2`` vs ``--jobs 1`` on a CPU-bound step (colmind).

Each tool runs the same command line in a fresh private ``CM_REPOS``::

    cm run experiment --tags=bench,echo --explore.N=range(100) -- echo {{N}}

(cmind ``eval``s ``range(100)``, colmind evaluates it with colmind.expr). The whole command is timed
(process start to exit), ``--repeat`` times, and the median is reported. colmind runs from this
checkout (``python -m colmind`` with ``PYTHONPATH=src``). Prints markdown tables.

Usage: ``python benchmarks/bench_experiment.py [--steps 100] [--repeat 3] [--cpu-steps 8] [--cpu-n 3000000]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from toolenv import PROJECT_ROOT, WORK_DIR, clean_env, cmind_cm, colmind_python, have_cmind, load_paths  # noqa: E402

WORK = WORK_DIR / "experiment"


def _colmind(args: list[str], home: Path) -> tuple[list[str], dict[str, str]]:
    env = clean_env(home, extra={"CM_REPOS": str(home / "CM"), "PYTHONPATH": str(PROJECT_ROOT / "src"),
                                 "CM_INDEX_MONITOR": "no"})
    return [colmind_python(), "-m", "colmind", *args], env


def _cmind(args: list[str], home: Path) -> tuple[list[str], dict[str, str]]:
    repos = home / "CM"
    if not (repos / "repos.json").is_file():
        repos.mkdir(parents=True, exist_ok=True)
        cm4mlops = load_paths().get("cm4mlops_repo", "")
        (repos / "repos.json").write_text(json.dumps([cm4mlops] if cm4mlops else []))
    return [cmind_cm(), *args], clean_env(home, extra={"CM_REPOS": str(repos)})


def _time(make: object, args: list[str], home: Path) -> float:
    argv, env = make(args, home)  # type: ignore[operator]
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=str(home), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return took


def _count_records(home: Path) -> int:
    return sum(len(json.loads(p.read_text())) for p in (home / "CM").rglob("cm-result.json"))


def echo_sweep(steps: int, repeat: int) -> list[tuple[str, float, int, list[float]]]:
    args = ["run", "experiment", "--tags=bench,echo", f"--explore.N=range({steps})", "--", "echo", "{{N}}"]
    tools = [("colmind", _colmind)] + ([("cmind 4.2 + cm4mlops", _cmind)] if have_cmind() else [])
    rows = []
    for name, make in tools:
        times = []
        for n in range(repeat):
            home = WORK / f"{name.split()[0]}-{n}"
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            times.append(_time(make, args, home))
            if _count_records(home) != steps:
                raise SystemExit(f"{name}: expected {steps} records, found {_count_records(home)}")
        rows.append((name, statistics.median(times), steps, times))
    return rows


def jobs_sweep(steps: int, work_n: int, repeat: int, step: str = "") -> list[tuple[int, float]]:
    """``--jobs 1`` and ``--jobs 2`` on a CPU-bound step (or on ``step``)."""
    step = step or f"{sys.executable} -c 'sum(i * i for i in range({work_n}))'"
    rows = []
    for jobs in (1, 2):
        times = []
        for n in range(repeat):
            home = WORK / f"jobs{jobs}-{n}"
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            times.append(_time(_colmind, ["run", "experiment", "--tags=bench,cpu", f"--jobs={jobs}",
                                          f"--explore.N=range({steps})", "--", step], home))
        rows.append((jobs, statistics.median(times)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu-steps", type=int, default=8)
    parser.add_argument("--cpu-n", type=int, default=3_000_000)
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"Load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs\n")
    rows = echo_sweep(args.steps, args.repeat)
    print(f"`cm run experiment --explore.N=range({args.steps}) -- echo {{{{N}}}}` (median of {args.repeat})\n")
    print("| tool | wall time (median) | per step | records | every run |\n|---|---|---|---|---|")
    for name, took, count, times in rows:
        every = ", ".join(f"{t:.2f}" for t in times)
        print(f"| {name} | {took:.2f} s | {took / count * 1000:.1f} ms | {count} | {every} s |")
    if len(rows) == 2:
        print(f"\ncolmind is {rows[1][1] / rows[0][1]:.1f}x faster than cmind")
    jobs = jobs_sweep(args.cpu_steps, args.cpu_n, args.repeat)
    print(f"\n{args.cpu_steps} CPU-bound steps (`sum(i * i for i in range({args.cpu_n}))`), colmind "
          f"(median of {args.repeat})\n")
    print("| --jobs | wall time |\n|---|---|")
    for n, took in jobs:
        print(f"| {n} | {took:.2f} s |")
    print(f"\n--jobs 2 is {jobs[0][1] / jobs[1][1]:.2f}x faster than --jobs 1")
    waits = jobs_sweep(args.cpu_steps, 0, args.repeat, step="sleep 1")
    print(f"\nThe same with a step that waits (`sleep 1`, no CPU): --jobs 1 {waits[0][1]:.2f} s, "
          f"--jobs 2 {waits[1][1]:.2f} s ({waits[0][1] / waits[1][1]:.2f}x)")
    load = os.getloadavg()
    print(f"\nLoad average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
