"""The image-classification app as a new user runs it: first run and cached re-run.

``cm run script --tags=app,image-classification,onnx,python --quiet`` in a fresh CM_REPOS, with
the managed venv installing its packages from the package registry (the COLMIND_VENV_* shortcuts
of CI and ``make demo`` are removed from the environment). Prints a markdown table.

Usage: ``python benchmarks/bench_app.py [--reuse-packages]`` (``--reuse-packages`` lets the venv see
this interpreter's packages instead of downloading them, to time colmind's own work only).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "app"
CM = Path(sys.executable).parent / "cm"
TAGS = "--tags=app,image-classification,onnx,python"


def _env(reuse: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COLMIND_VENV", "CM_", "PYTHONDONTWRITE"))}
    env["CM_REPOS"] = str(WORK / "CM")
    if reuse:
        env["COLMIND_VENV_SYSTEM_SITE_PACKAGES"] = "yes"
        env["COLMIND_VENV_BASE_PYTHON"] = sys.executable
    return env


def _run(env: dict[str, str]) -> tuple[float, str, int]:
    start = time.perf_counter()
    proc = subprocess.run([str(CM), "run", "script", TAGS, "--quiet"], cwd=str(WORK), env=env,
                          capture_output=True, text=True)
    took = time.perf_counter() - start
    match = re.search(r"Accuracy \(top-1\): ([0-9.]+)", proc.stdout + proc.stderr)
    return took, match.group(1) if match else "?", proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reuse-packages", action="store_true")
    args = parser.parse_args(argv)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = _env(args.reuse_packages)
    rows = [("first run (fresh CM_REPOS)", *_run(env))] + [(f"cached re-run {n}", *_run(env)) for n in (1, 2)]
    source = "this interpreter's packages" if args.reuse_packages else "pip installs from the package registry"
    print(f"App `cm run script {TAGS} --quiet`, venv packages: {source}\n")
    print("| run | wall time | top-1 accuracy | exit |\n|---|---|---|---|")
    for name, took, acc, code in rows:
        print(f"| {name} | {took:.1f} s | {acc} | {code} |")
    return 0 if all(r[3] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
