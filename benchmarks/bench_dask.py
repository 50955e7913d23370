"""Experiments on Dask vs the local executor: speed-up of a CPU-bound sweep and per-step overhead.

1. A CPU-bound 40-step sweep (each step a pure-Python sum of about ``--step-s`` seconds, in its own
   process): ``--executor=dask --scheduler=`` on a LocalCluster of 1 and of 2 workers (started once
   by this script), next to ``--jobs=1`` and ``--jobs=2`` of the local executor. Wall time of the
   whole ``cm run experiment``, median of ``--repeats``; plus the cost of a LocalCluster started by
   the command itself.
2. Per-step overhead: 40 steps of ``true`` minus 1 step of ``true``, divided by 39, for the local
   executor (``--jobs=1``) and for Dask (1 worker), so start-up costs cancel out.

Every run is a fresh ``python -m colmind run experiment`` process with its own CM_REPOS. Prints a
markdown section and keeps it in ``.work/results/dask.md`` (``report.py`` includes it).

Usage: ``python benchmarks/bench_dask.py [--repeats 3] [--step-s 0.5] [--steps 40]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SRC = BENCH.parent / "src"
RESULTS = BENCH / ".work" / "results"


def loop_size(seconds: float) -> int:
    """Iterations of the step's loop that take about ``seconds`` here."""
    n = 2_000_000
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"sum(i * i for i in range({n}))"], check=True)
    spent = time.perf_counter() - start - 0.02  # interpreter start-up
    return max(1000, int(n * seconds / max(spent, 1e-3)))


def run_experiment(steps: int, command: str, executor: list[str]) -> float:
    """Wall seconds of one ``cm run experiment`` with ``steps`` steps, in a fresh CM_REPOS."""
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CM_", "COLMIND_DASK"))}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(CM_REPOS=os.path.join(tmp, "CM"), CM_INDEX_MONITOR="no", PYTHONPATH=str(SRC))
        argv = [sys.executable, "-m", "colmind", "run", "experiment", "bench",
                f"--explore.I=list(range({steps}))", "--keep_going", *executor, "--", command]
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=tmp, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"failed: {' '.join(argv)}\n{proc.stderr[-2000:]}")
        return wall


def median_of(repeats: int, *args: object) -> float:
    return statistics.median(run_experiment(*args) for _ in range(repeats))  # type: ignore[arg-type]


@contextlib.contextmanager
def cluster(workers: int) -> Iterator[str]:
    """A LocalCluster of ``workers`` single-threaded worker processes started once (its address)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=50) as local:
            yield str(local.scheduler_address)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--step-s", type=float, default=0.5)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args(argv)
    n = loop_size(args.step_s)
    cpu = f'{sys.executable} -c "sum(i * i for i in range({n}))"'
    with cluster(1) as one, cluster(2) as two:
        configs = {"local, --jobs=1": ["--jobs=1"], "local, --jobs=2": ["--jobs=2"],
                   "dask, 1 worker": ["--executor=dask", f"--scheduler={one}", "--jobs=1"],
                   "dask, 2 workers": ["--executor=dask", f"--scheduler={two}", "--jobs=2"]}
        # repeats interleaved (config after config, then again): a burst of load from elsewhere
        # hits every config rather than all runs of one
        runs: dict[str, list[float]] = {name: [] for name in configs}
        for _ in range(args.repeats):
            for name, options in configs.items():
                runs[name].append(run_experiment(args.steps, cpu, options))
        sweep = {name: statistics.median(times) for name, times in runs.items()}
        overhead = {name: per_step(args, configs[name]) for name in ("local, --jobs=1", "dask, 1 worker")}
    start = median_of(args.repeats, 1, "true", ["--executor=dask", "--executor_options.workers=1"])
    text = render(args, n, sweep, overhead, start)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dask.md").write_text(text + "\n", encoding="utf-8")
    return 0


def per_step(args: argparse.Namespace, options: list[str]) -> tuple[float, float, float]:
    many = median_of(args.repeats, args.steps, "true", options)
    one = median_of(args.repeats, 1, "true", options)
    return many, one, (many - one) / (args.steps - 1)


def render(args: argparse.Namespace, n: int, sweep: dict[str, float],
           overhead: dict[str, tuple[float, float, float]], start: float) -> str:
    lines = [f"CPU-bound sweep: {args.steps} steps, each `python -c 'sum(i * i for i in range({n}))'` (about "
             f"{args.step_s:g} s alone), cpus={os.cpu_count()}, median of {args.repeats} runs of a fresh "
             "`python -m colmind run experiment` process (repeats interleaved across executors). Dask rows use a LocalCluster started once "
             "beforehand (`--scheduler=`); starting one inside the command (`--executor=dask` alone, 1 worker, "
             f"1 step of `true`) takes {start:.1f} s in all. The 2 cores were shared with other agents' "
             "builds and tests while this ran: absolute times are noisy.",
             "", "| executor | wall time | speed-up vs 1 worker of the same executor |", "|---|---|---|"]
    for name, wall in sweep.items():
        base = sweep["local, --jobs=1"] if name.startswith("local") else sweep["dask, 1 worker"]
        lines.append(f"| {name} | {wall:.1f} s | {base / wall:.2f}x |")
    lines += ["", f"Per-step overhead: ({args.steps} steps of `true` - 1 step) / {args.steps - 1}:", "",
              f"| executor | {args.steps} steps | 1 step | per step |", "|---|---|---|---|"]
    for name, (many, one, per) in overhead.items():
        lines.append(f"| {name} | {many:.2f} s | {one:.2f} s | {per * 1000:.0f} ms |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
