"""``mlcr`` on a fully cached pipeline: colmind's MLC front-end vs mlcflow 1.3.8.

The engine-only 4-dependency pipeline of ``benchmarks/recipes/mlc`` (MLC format) is run once by
each tool (filling its cache), then timed as whole processes, interleaved:

* ``mlcflow``: ``mlcr bench,bench-top --quiet`` of mlcflow 1.3.8 (+ mlc-scripts for its engine),
  private ``HOME``;
* ``colmind mlcr``: colmind's ``mlcr`` (``colmind.mlc.cli:mlcr``) on the same recipes, private
  ``HOME``/``CM_REPOS``;
* ``colmind cmr``: ``cmr "bench bench-top"`` in the same colmind home: the same cache entries.

``python benchmarks/bench_mlc.py [--reps N] [--skip-mlc]`` prints a Markdown table and writes
``benchmarks/.work/results/mlc.json``. mlcflow takes 8-15 s a call here: keep ``--reps`` small.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Job, measure_group, run_once  # noqa: E402
from toolenv import (  # noqa: E402
    BENCH_DIR,
    PROJECT_ROOT,
    WORK_DIR,
    CMHome,
    clean_env,
    colmind_cm,
    have_mlc,
    load_paths,
    mlc_exe,
)

RECIPES_MLC = BENCH_DIR / "recipes" / "mlc"
HOMES = WORK_DIR / "mlc-homes"
TAGS = "bench,bench-top"


def colmind_env(home: Path) -> dict[str, str]:
    """colmind's home, running this checkout's source (``mlcr`` of an older install lacks colmind.mlc)."""
    env = CMHome(home).env()
    env["PYTHONPATH"] = str(PROJECT_ROOT / "src")
    env["MLC_REPOS"] = str(home / "MLC" / "repos")  # an empty mlcflow registry of its own
    return env


def colmind_script(name: str) -> str:
    script = Path(colmind_cm()).parent / name
    if not script.is_file():
        raise SystemExit(f"{script} not found: pip install -e . declares the mlc console scripts")
    return str(script)


def must(cmd: list[str], env: dict[str, str], cwd: Path, what: str) -> None:
    seconds, rc, out, err, _ = run_once(cmd, env, str(cwd), 600)
    if rc != 0:
        raise SystemExit(f"{what} failed (rc={rc}):\n{out[-2000:]}\n{err[-3000:]}")


def fresh(home: Path) -> Path:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home


def jobs(skip_mlc: bool) -> list[Job]:
    out = []
    home = fresh(HOMES / "colmind")
    env = colmind_env(home)
    must([colmind_script("mlc"), "add", "repo", str(RECIPES_MLC)], env, home, "colmind mlc add repo")
    must([colmind_script("mlcr"), TAGS, "--quiet"], env, home, "colmind mlcr (filling the cache)")
    out.append(Job("colmind mlcr", [colmind_script("mlcr"), TAGS, "--quiet"], env, str(home)))
    out.append(Job("colmind cmr", [colmind_script("cmr"), TAGS.replace(",", " "), "--quiet"], env, str(home)))
    if have_mlc() and not skip_mlc:
        mhome = fresh(HOMES / "mlcflow")
        menv = clean_env(mhome)
        scripts = load_paths().get("mlc_scripts_repo", "")
        for repo in (scripts, str(RECIPES_MLC)):
            if repo:
                must([mlc_exe(), "add", "repo", repo], menv, mhome, f"mlcflow add repo {repo}")
        mlcr = str(Path(mlc_exe()).parent / "mlcr")
        must([mlcr, TAGS, "--quiet"], menv, mhome, "mlcflow mlcr (filling the cache)")
        out.append(Job("mlcflow", [mlcr, TAGS, "--quiet"], menv, str(mhome)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="mlcr on a cached pipeline: colmind vs mlcflow 1.3.8")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--skip-mlc", action="store_true")
    args = parser.parse_args(argv)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    samples = measure_group(jobs(args.skip_mlc), reps=args.reps, warmup=1, timeout=300, budget=900)
    base = samples["colmind mlcr"].median or 0.0
    lines = [f"Fully cached engine-only 4-dependency pipeline (`benchmarks/recipes/mlc`), whole processes, "
             f"interleaved, {args.reps} runs each after 1 warm-up; `python benchmarks/bench_mlc.py --reps {args.reps}`.",
             "", "| tool | command | median (best) | tool / colmind mlcr |", "|---|---|---|---|"]
    result: dict[str, Any] = {}
    for label, sample in samples.items():
        med, best = sample.median or 0.0, sample.best or 0.0
        ratio = f"{med / base:.1f}x" if base and label != "colmind mlcr" else ""
        lines.append(f"| {label} | `{' '.join(sample_cmd(label))}` | {med * 1000:.1f} ms ({best * 1000:.1f} ms) "
                     f"| {ratio} |")
        result[label] = sample.to_json()
    print("\n".join(lines))
    out = WORK_DIR / "results" / "mlc.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


def sample_cmd(label: str) -> list[str]:
    return {"colmind mlcr": ["mlcr", TAGS, "--quiet"], "colmind cmr": ["cmr", TAGS.replace(",", " "), "--quiet"],
            "mlcflow": ["mlcr", TAGS, "--quiet"]}[label]


if __name__ == "__main__":
    raise SystemExit(main())
