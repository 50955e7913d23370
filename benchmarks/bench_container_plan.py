"""Plan time of ``cm docker script --docker_dry_run`` for every built-in recipe.

    python benchmarks/bench_container_plan.py [--repeat=3]

Two numbers per recipe: the whole command (a fresh ``python -m colmind`` process: start-up, the
host-side dependency resolution, hashing colmind and the repositories, the pure plan) and, in
one warm process, the planning alone (the last step, pure). Prints a Markdown table.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# a recipe that needs an input to resolve gets a harmless one
INPUTS = {"download-file": ["--url=file:///etc/hostname"], "extract-file": ["--input=/etc/hostname"],
          "get-git-repo": ["--url=/tmp/none"]}


def recipes() -> list[str]:
    folder = os.path.join(ROOT, "src", "colmind", "repo", "script")
    return sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))


def command_seconds(alias: str, env: dict[str, str], repeat: int) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "colmind", "docker", "script", alias, "--docker_dry_run",
                               *INPUTS.get(alias, [])], env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        code = done.returncode
    return statistics.median(times), code


def pure_plan_ms(alias: str, repeat: int) -> float:
    from colmind.automations.script import ScriptAutomation
    from colmind.container import action, planner
    from colmind.core import get_core

    art = next(a for a in get_core().find("script", alias, []) if a.alias == alias)
    inputs = dict(arg.lstrip("-").split("=", 1) for arg in INPUTS.get(alias, []))
    prepared = action.prepare(ScriptAutomation(), art, inputs, dry=True)
    start = time.perf_counter()
    for _ in range(repeat * 10):
        planner.plan(prepared.request)
    return (time.perf_counter() - start) * 1000 / (repeat * 10)


def main() -> None:
    repeat = int(next((a.split("=")[1] for a in sys.argv[1:] if a.startswith("--repeat=")), "3"))
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CM_REPOS": home, "PYTHONPATH": os.path.join(ROOT, "src")}
        os.environ["CM_REPOS"] = home
        sys.path.insert(0, os.path.join(ROOT, "src"))
        print("| recipe | `cm docker script --docker_dry_run` (s, median) | pure plan (ms) |")
        print("|---|---|---|")
        for alias in recipes():
            seconds, code = command_seconds(alias, env, repeat)
            try:
                ms = f"{pure_plan_ms(alias, repeat):.2f}"
            except Exception as exc:  # a recipe that cannot resolve without more inputs
                ms = f"n/a ({type(exc).__name__})"
            note = "" if code == 0 else f" (exit {code})"
            print(f"| {alias} | {seconds:.2f}{note} | {ms} |", flush=True)


if __name__ == "__main__":
    main()
