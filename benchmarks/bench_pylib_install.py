"""Cold install of a Python package that is not there yet, colmind vs cmind 4.2.0 (issue 17).

``cm run script "get generic-python-lib _package.<pkg>"`` with the cm4mlops recipes, each repetition
from nothing: a fresh private home (the collection registered, no cache entry: detect-os,
detect-cpu, get-python3, ``_pip`` and the package recipe all run) and a fresh venv first on PATH
(``get,python3`` finds it; the package is not installed in it), so the recipe's "installed
already?" probe returns 16 and its install script runs pip. pip downloads through one shared,
pre-warmed ``PIP_CACHE_DIR`` so that network jitter is not measured (both tools do the same pip
work). Tools alternate (colmind, cmind, colmind, ...); wall time of the whole command; median (best).
The venv is made before the clock starts. colmind runs this checkout's ``src``.

    python benchmarks/bench_pylib_install.py [--package tabulate] [--reps 3] [--out FILE]

Writes ``benchmarks/.work/results/pylib_install.json`` (or ``--out``); exit 0 and a message when
cmind or the collection is missing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from toolenv import PROJECT_ROOT, WORK_DIR, clean_env, cmind_cm, colmind_cm, have_cmind, load_paths  # noqa: E402


def launcher(root: Path) -> str:
    """``cm`` running this checkout's src on the project interpreter (as parity_sweep does)."""
    python = Path(colmind_cm()).parent / "python"
    path = root / "colmind-bin" / "cm"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!{python}\nimport sys\nsys.path.insert(0, {str(PROJECT_ROOT / 'src')!r})\n"
                    "from colmind.cli.main import run\nrun()\n")
    path.chmod(0o755)
    return str(path)


def fresh_home(tool: str, exe: str, root: Path, collection: str) -> tuple[Path, dict[str, str]]:
    home = root / f"home-{tool}"
    shutil.rmtree(home, ignore_errors=True)
    repos = home / "CM"
    repos.mkdir(parents=True)
    env = clean_env(home, extra={"CM_REPOS": str(repos), "PIP_CACHE_DIR": str(root / "pip-cache")})
    if tool == "cmind":
        (repos / "repos.json").write_text(json.dumps([collection]))
    else:
        subprocess.run([exe, "import", "repo", f"--path={collection}"], env=env, check=True, capture_output=True)
    return home, env


def fresh_venv(root: Path) -> Path:
    venv = root / "pyv"
    shutil.rmtree(venv, ignore_errors=True)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
    return venv


def one_run(tool: str, exe: str, root: Path, collection: str, package: str) -> float:
    home, env = fresh_home(tool, exe, root, collection)
    venv = fresh_venv(root)
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    work = home / "work"
    work.mkdir()
    started = time.perf_counter()
    proc = subprocess.run([exe, "run", "script", f"get generic-python-lib _package.{package}", "--quiet"],
                          cwd=work, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - started
    check = subprocess.run([str(venv / "bin" / "python"), "-c", f"import importlib.metadata as m; m.version({package!r})"],
                           capture_output=True)
    if proc.returncode != 0 or check.returncode != 0:
        raise SystemExit(f"{tool} failed (rc {proc.returncode}):\n{proc.stderr[-2000:]}")
    return took


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--package", default="tabulate")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", type=Path, default=WORK_DIR / "results" / "pylib_install.json")
    args = ap.parse_args(argv)
    collection = load_paths().get("cm4mlops_repo", "")
    if not have_cmind() or not collection or not Path(collection).is_dir():
        print("skipped: cmind or the cm4mlops collection is missing (benchmarks/setup_tools.py)")
        return 0
    root = Path(tempfile.mkdtemp(prefix="colmind-pylib-"))
    tools = {"colmind": launcher(root), "cmind": cmind_cm()}
    # warm pip's cache (one download) so every measured install does the same pip work
    venv = fresh_venv(root)
    subprocess.run([str(venv / "bin" / "pip"), "download", "--no-deps", "-d", str(root / "wheels"), args.package],
                   env=clean_env(root, extra={"PIP_CACHE_DIR": str(root / "pip-cache")}), check=True, capture_output=True)
    times: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(args.reps):
        for name, exe in tools.items():
            times[name].append(one_run(name, exe, root, collection, args.package))
            print(f"{name:8} {times[name][-1]:.2f} s", flush=True)
    summary = {name: {"median_s": statistics.median(t), "best_s": min(t), "runs_s": t} for name, t in times.items()}
    ratio = statistics.median(times["cmind"]) / statistics.median(times["colmind"])
    result = {"package": args.package, "reps": args.reps, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "python": sys.version.split()[0], "results": summary, "ratio_cmind_over_colmind": ratio}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
