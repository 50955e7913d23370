"""Run every benchmark and rewrite ``benchmarks/RESULTS.md``.

Steps: ``setup_tools.py`` (idempotent), ``bench_core.py``, ``bench_engine.py`` (skips itself when
colmind has no ``cm run script``), ``bench_harness.py`` when present (another developer's; its
markdown output is kept in ``.work/results/harness.md``), then ``report.py``. A failing step is reported and the others still run.

Usage: ``python benchmarks/run_all.py [--quick] [--skip-mlc] [--no-setup] [--only core,engine,...]``
(``--quick``: 1k/10k artifacts, fewer repetitions; about 5 minutes instead of about 15-25).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / ".work" / "results"


def step(name: str, args: list[str], save_stdout: Path | None = None) -> int:
    """Run one script with this interpreter; ``save_stdout`` also keeps its output in a file."""
    print(f"\n######## {name}: {' '.join(args)}", flush=True)
    start = time.perf_counter()
    if save_stdout is None:
        code = subprocess.call([sys.executable, *args], cwd=str(BENCH.parent))
    else:
        save_stdout.unlink(missing_ok=True)  # never report a stale table
        proc = subprocess.run([sys.executable, *args], cwd=str(BENCH.parent), stdout=subprocess.PIPE, text=True)
        print(proc.stdout, flush=True)
        code = proc.returncode
        if code == 0:
            save_stdout.parent.mkdir(parents=True, exist_ok=True)
            save_stdout.write_text(proc.stdout, encoding="utf-8")
    print(f"######## {name}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="run all colmind benchmarks and rewrite RESULTS.md")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-mlc", action="store_true", help="leave mlcflow out of the engine benchmark")
    parser.add_argument("--no-setup", action="store_true", help="do not run setup_tools.py")
    parser.add_argument("--only", default="", help="comma list of: core, engine, harness, app, dask")
    args = parser.parse_args(argv)
    only = set(filter(None, args.only.split(","))) or {"core", "engine", "harness", "app", "dask"}
    quick = ["--quick"] if args.quick else []
    failures = []
    if not args.no_setup and step("setup", [str(BENCH / "setup_tools.py")]):
        failures.append("setup")
    plan = [("core", [str(BENCH / "bench_core.py"), "--no-pyc", *quick]),
            ("engine", [str(BENCH / "bench_engine.py"), *quick, *(["--skip-mlc"] if args.skip_mlc else [])])]
    plan.append(("app", [str(BENCH / "bench_app.py")]))
    plan.append(("dask", [str(BENCH / "bench_dask.py"), *(["--repeats", "1"] if args.quick else [])]))
    harness = BENCH / "bench_harness.py"
    if harness.is_file():  # another developer's script: it prints a markdown table on stdout
        plan.append(("harness", [str(harness), *(["--repeats", "1", "--duration", "1"] if args.quick else [])]))
    else:
        print("\n(bench_harness.py not present: harness benchmark skipped)")
    for name, cmd in plan:
        saved = RESULTS / f"{name}.md" if name in ("harness", "app") else None
        if name in only and step(name, cmd, saved):
            failures.append(name)
    step("report", [str(BENCH / "report.py")])
    if failures:
        print(f"\nfailed steps: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
