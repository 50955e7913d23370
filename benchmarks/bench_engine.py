"""Engine benchmark: ``cm run script`` in colmind vs cmind (+cm4mlops engine) vs mlcflow.

Cases (wall time of whole commands, interleaved across tools, medians):

1. engine-only pipeline ``--tags=bench,bench-top``: the recipes in ``benchmarks/recipes/cm`` (CM
   format) and ``benchmarks/recipes/mlc`` (MLC format): a top recipe (trivial customize.py) with 4
   deps, three env-only ones and one cached one whose ``run.sh`` runs only on a miss. Cold (the
   cached dep's entry removed before each run) and fully cached.
2. the real ``get,generic-python-lib,_numpy`` pipeline with the community recipes (cm4mlops for
   colmind and cmind, mlc-scripts for mlcflow), cold (caches of python/python-lib removed, MLC
   also detect-os/detect-cpu) and warm. colmind also with its own built-in recipes.
3. ``cm find cache --tags=benchlib,pkg-7`` with 10 / 100 / 1,000 / 10,000 entries (``cachegen.py``),
   colmind (its default, ``CM_INDEX_MONITOR`` unset = auto) vs colmind with ``CM_INDEX_MONITOR=no``
   (own home) vs cmind. With 1,000 and 10,000 entries the first query starts colmind's index monitor
   (over its 250-artifact threshold; smaller caches do not): the benchmark waits until it answers before
   measuring, records how long that took, and stops it afterwards (``monitorctl.py``).
4. ``--dry-run`` plan time (colmind only) for both pipelines.
5. in-process API, fully cached engine-only pipeline: ONE warm Python process per tool calls the
   tool's ``access()`` (``colmind.access``, ``cmind.access``, ``mlc.access``) for the same cached
   ``run script --tags=bench,bench-top`` request N times after 2 warm-ups; median per call. This is
   how CM scripts call each other (nested ``access()`` in one process). Same homes and environments
   as case 1; two rounds per tool (order A B C, then C B A), times pooled.

Before the cases, each colmind home runs the engine-only pipeline once and the benchmark waits until
its index monitor answers, if one starts (the home with the cm4mlops collection: over the monitor's
250-artifact threshold), like ``bench_core.py``: measured runs see the steady state.

Skips (with a message) when colmind has no ``cm run script`` yet. Usage:
``python benchmarks/bench_engine.py [--quick] [--skip-mlc] [--reps N] [--cache-sizes 10,10000]
[--only engine_only,numpy,dry_run,cache_find,inproc] [--inproc-calls 20]``.
Writes ``benchmarks/.work/results/engine.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cachegen  # noqa: E402
import machine  # noqa: E402
import monitorctl  # noqa: E402
from timing import Job, Sample, fmt_seconds, measure_group, ratio, run_once, single  # noqa: E402
from toolenv import (  # noqa: E402
    BENCH_DIR,
    WORK_DIR,
    CMHome,
    baseline_python,
    clean_env,
    cmind_cm,
    cmind_python,
    colmind_cm,
    colmind_python,
    have_cmind,
    have_mlc,
    load_paths,
    mlc_exe,
    mlc_python,
)

ENGINE_DIR = WORK_DIR / "engine"
RESULTS_DIR = WORK_DIR / "results"
RECIPES_CM = BENCH_DIR / "recipes" / "cm"
RECIPES_MLC = BENCH_DIR / "recipes" / "mlc"
TOP = "--tags=bench,bench-top"
NUMPY = "--tags=get,generic-python-lib,_numpy"
CM_NUMPY_COLD = (("get,python3",), ("get,generic-python-lib",))
MLC_NUMPY_COLD = CM_NUMPY_COLD + (("detect,os",), ("detect,cpu",))
NOMON = "colmind (no monitor)"
CASES = ("engine_only", "numpy", "dry_run", "cache_find", "inproc")


class Runner:
    """One tool in one private home: how to run, register and clear its cache."""

    def __init__(self, name: str, kind: str, exe: str, home: Path, extra: dict[str, str] | None = None) -> None:
        self.name, self.kind, self.exe, self.home = name, kind, exe, home
        self.extra = extra or {}
        self.is_colmind = name.startswith("colmind")

    def env(self) -> dict[str, str]:
        if self.kind == "mlc":
            return clean_env(self.home, extra=self.extra)
        return CMHome(self.home).env(extra=self.extra)

    @property
    def cwd(self) -> str:
        return str(self.home)

    def cmd(self, *args: str) -> list[str]:
        return [self.exe, *args]

    def reset(self, repos: list[str]) -> None:
        """Fresh home with ``repos`` registered (cm import repo / mlc add repo)."""
        self.stop_monitor()  # one left by an earlier run would serve a deleted $CM_REPOS
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(parents=True)
        for repo in repos:
            args = ("add", "repo", repo) if self.kind == "mlc" else ("import", "repo", f"--path={repo}")
            seconds, rc, out, err, _ = run_once(self.cmd(*args), self.env(), self.cwd, 300)
            if rc != 0:
                raise SystemExit(f"{self.name}: registering {repo} failed (rc={rc}):\n{out}\n{err[-3000:]}")

    def stop_monitor(self) -> dict[str, Any]:
        """Stop colmind's index monitor of this home (if any); ``left`` lists survivors."""
        if not self.is_colmind:
            return {}
        return monitorctl.stop(CMHome(self.home).repos, self.env(), str(ENGINE_DIR))

    def clear_cache(self, tag_sets: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        """Untimed commands that remove the cache entries with these tags."""
        return tuple((self.exe, "rm", "cache", f"--tags={tags[0]}", "-f") for tags in tag_sets)

    def job(self, label: str, *args: str, prep: tuple[tuple[str, ...], ...] = ()) -> Job:
        return Job(label, self.cmd(*args), self.env(), self.cwd, prep)


def runners(paths: dict[str, str], skip_mlc: bool) -> dict[str, Runner]:
    homes = ENGINE_DIR / "homes"
    out = {"colmind": Runner("colmind", "cm", colmind_cm(), homes / "colmind")}
    if have_cmind():
        out["cmind"] = Runner("cmind", "cm", cmind_cm(), homes / "cmind", {"CM_CORE_SKIP_INTERNAL_REPOS": "1"})
    if have_mlc() and not skip_mlc:
        out["mlcflow"] = Runner("mlcflow", "mlc", mlc_exe(), homes / "mlc")
    out["colmind (MLC recipes)"] = Runner("colmind (MLC recipes)", "cm", colmind_cm(), homes / "colmind-mlc")
    out["colmind (built-in recipes)"] = Runner("colmind (built-in recipes)", "cm", colmind_cm(),
                                               homes / "colmind-builtin")
    return out


def register_all(tools: dict[str, Runner], paths: dict[str, str]) -> None:
    cm4mlops, mlc_scripts = paths.get("cm4mlops_repo", ""), paths.get("mlc_scripts_repo", "")
    wanted = {"colmind": [cm4mlops, str(RECIPES_CM)], "cmind": [cm4mlops, str(RECIPES_CM)],
              "mlcflow": [mlc_scripts, str(RECIPES_MLC)], "colmind (MLC recipes)": [str(RECIPES_MLC)],
              "colmind (built-in recipes)": []}
    for name, tool in tools.items():
        repos = [r for r in wanted[name] if r]
        print(f"   registering in {name}: {', '.join(repos) or '(nothing: built-in repo only)'}", flush=True)
        tool.reset(repos)


def engine_available(tool: Runner) -> tuple[bool, str]:
    """Does colmind have a working ``cm run script``? (probe on the engine-only pipeline)."""
    seconds, rc, out, err, _ = run_once(tool.cmd("run", "script", TOP, "--quiet", "-j"), tool.env(), tool.cwd, 300)
    text = out + err
    if rc == 0 and "done:42" in text:
        return True, ""
    return False, f"rc={rc}: {text.strip().splitlines()[-1] if text.strip() else 'no output'}"


def settle_monitors(tools: dict[str, Runner], paths: dict[str, str]) -> dict[str, Any]:
    """After the probe run, wait until each colmind home's index monitor answers (if one starts),
    as the core benchmark does: the measured runs then see colmind's steady state, not the half
    second while a monitor that the probe just started is still watching the folders."""
    facts: dict[str, Any] = {}
    community = bool(paths.get("cm4mlops_repo"))
    for name, tool in tools.items():
        if not tool.is_colmind:
            continue
        if name == "colmind" and not tool.home.joinpath("CM").is_dir():
            continue
        if name != "colmind (built-in recipes)":
            run_once(tool.cmd("run", "script", TOP, "--quiet"), tool.env(), tool.cwd, 300)
        expected = name == "colmind" and community  # 300+ community recipes: over the threshold
        facts[name] = monitorctl.wait_ready(CMHome(tool.home).repos, tool.env(), tool.cwd, since=time.time(),
                                            checked=10**9 if expected else 0)
        print(f"   {name:28} index monitor: {monitorctl.describe(facts[name])}", flush=True)
    return facts


# -- cases ---------------------------------------------------------------------------------------
def engine_only(tools: dict[str, Runner], reps: int) -> dict[str, dict[str, Sample]]:
    names = [n for n in ("colmind", "cmind", "mlcflow", "colmind (MLC recipes)") if n in tools]
    cold = [tools[n].job(n, "run", "script", TOP, "--quiet", "-j", prep=tools[n].clear_cache((("bench-cached",),)))
            for n in names]
    warm = [tools[n].job(n, "run", "script", TOP, "--quiet", "-j") for n in names]
    result = {"cold": measure_group(cold, reps=reps, timeout=300, budget=60),
              "fully cached": measure_group(warm, reps=reps, timeout=300, budget=60)}
    for case, samples in result.items():
        for sample in samples.values():
            text = sample.stdout + sample.stderr_tail
            sample.label = f"engine-only {case}" + ("" if "done:42" in text else " [OUTPUT CHECK FAILED]")
    print_case("engine-only 4-dep pipeline", result)
    return result


def numpy_pipeline(tools: dict[str, Runner], reps: int) -> dict[str, dict[str, Sample]]:
    names = [n for n in ("colmind", "cmind", "mlcflow", "colmind (built-in recipes)") if n in tools]
    cold_jobs, warm_jobs = [], []
    for n in names:
        tags = MLC_NUMPY_COLD if tools[n].kind == "mlc" else CM_NUMPY_COLD
        cold_jobs.append(tools[n].job(n, "run", "script", NUMPY, "--quiet", prep=tools[n].clear_cache(tags)))
        warm_jobs.append(tools[n].job(n, "run", "script", NUMPY, "--quiet"))
    result = {"cold": measure_group(cold_jobs, reps=max(2, reps // 2), timeout=300, budget=60),
              "warm": measure_group(warm_jobs, reps=reps, timeout=300, budget=60)}
    print_case("real get,generic-python-lib,_numpy pipeline", result)
    return result


def cache_runners(size: int) -> dict[str, Runner]:
    """colmind (default: monitor auto), colmind with the monitor off, cmind: one home each."""
    homes = ENGINE_DIR / "cache-homes"
    tools = {"colmind": Runner("colmind", "cm", colmind_cm(), homes / f"colmind-{size}"),
             NOMON: Runner(NOMON, "cm", colmind_cm(), homes / f"colmind-nomon-{size}", {"CM_INDEX_MONITOR": "no"})}
    if have_cmind():
        tools["cmind"] = Runner("cmind", "cm", cmind_cm(), homes / f"cmind-{size}", {"CM_CORE_SKIP_INTERNAL_REPOS": "1"})
    return tools


def cache_scaling(sizes: list[int], reps: int, paths: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``cm find cache`` per cache size; also returns, per size, colmind's index monitor facts."""
    out: dict[str, Any] = {}
    monitors: dict[str, Any] = {}
    for size in sizes:
        tags, expected = cachegen.query(size)
        tools = cache_runners(size)
        for name, tool in tools.items():
            tool.reset([paths["cm4mlops_repo"]] if name == "cmind" and paths.get("cm4mlops_repo") else [])
            cachegen.generate(tool.home / "CM", size)
            if name == "cmind":  # entries made by cmind's own `add` are in index.json: rebuild it once
                run_once(tool.cmd("reindex", "repo"), tool.env(), tool.cwd, 600)
        monitors[str(size)] = first_queries(tools, tags, size)
        jobs = [tool.job(name, "find", "cache", f"--tags={tags}") for name, tool in tools.items()]
        samples = measure_group(jobs, reps=reps, warmup=2, timeout=120, budget=60)
        for sample in samples.values():
            if len(sample.lines()) != expected:
                sample.label += f" [EXPECTED {expected} RESULT(S), GOT {len(sample.lines())}]"
        out[str(size)] = samples
        print_case(f"cm find cache --tags={tags} with {size} entries", {"": samples})
        monitors[str(size)]["stop"] = stop_monitors(tools)
    return out, monitors


def first_queries(tools: dict[str, Runner], tags: str, size: int) -> dict[str, Any]:
    """Time each tool's first query (it builds the index); for colmind, wait until its monitor answers."""
    facts: dict[str, Any] = {"first query": {}, "monitor": {}}
    for name, tool in tools.items():
        sample = single("first query", tool.cmd("find", "cache", f"--tags={tags}"), tool.env(), tool.cwd, timeout=600)
        facts["first query"][name] = sample
        if tool.is_colmind:
            facts["monitor"][name] = monitorctl.wait_ready(CMHome(tool.home).repos, tool.env(), tool.cwd,
                                                           since=time.time(), checked=size)
            print(f"   {name:28} {size} entries: first query {fmt_seconds(sample)}; index monitor: "
                  f"{monitorctl.describe(facts['monitor'][name])}", flush=True)
    return facts


def stop_monitors(tools: dict[str, Runner]) -> dict[str, Any]:
    """Stop every colmind index monitor of these homes and check that none is left (``ps``)."""
    out = {name: tool.stop_monitor() for name, tool in tools.items() if tool.is_colmind}
    for name, info in out.items():
        if info.get("left"):
            print(f"   {name}: index monitor STILL RUNNING after stop (sent SIGTERM): {info['left']}", flush=True)
    return out


def dry_run(tools: dict[str, Runner], reps: int) -> dict[str, Sample]:
    tool = tools["colmind"]
    jobs = [tool.job("engine-only --dry-run", "run", "script", TOP, "--quiet", "--dry-run"),
            tool.job("numpy --dry-run", "run", "script", NUMPY, "--quiet", "--dry-run")]
    samples = measure_group(jobs, reps=reps, timeout=120)
    print_case("colmind --dry-run plan time", {"": samples})
    return samples


# -- in-process API ------------------------------------------------------------------------------
INPROC_MARK = "BENCH-INPROC "
# argv: module, request (JSON), warm-ups, calls, budget (s). One warm process, access() N times.
INPROC_SNIPPET = r"""
import json, sys, time, importlib
module, request, warmups, calls, budget = sys.argv[1], json.loads(sys.argv[2]), *map(float, sys.argv[3:6])
start = time.perf_counter()
api = importlib.import_module(module)
facts = {"import_s": time.perf_counter() - start, "warmup_s": [], "times": [], "ok": True, "error": ""}
measured_from = None
for k in range(int(warmups + calls)):
    t = time.perf_counter()
    r = api.access(dict(request))
    seconds = time.perf_counter() - t
    if r.get("return", 0) > 0:
        facts["ok"], facts["error"] = False, f"return={r.get('return')}: {r.get('error')}"
        break
    facts["ok"] = "done:42" in json.dumps(r, default=str)
    if k < warmups:
        facts["warmup_s"].append(seconds)
        continue
    facts["times"].append(seconds)
    measured_from = measured_from or t
    if len(facts["times"]) >= 3 and time.perf_counter() - measured_from > budget:
        break
print("BENCH-INPROC " + json.dumps(facts), flush=True)
"""
CM_REQUEST = {"action": "run", "automation": "script", "tags": "bench,bench-top", "quiet": True}
INPROC_APIS = {"colmind": ("colmind", colmind_python, CM_REQUEST),
               "cmind": ("cmind", cmind_python, CM_REQUEST),
               "mlcflow": ("mlc", mlc_python, {"action": "run", "target": "script", "tags": "bench,bench-top",
                                              "quiet": True})}


def inproc(tools: dict[str, Runner], calls: int, warmups: int = 2) -> tuple[dict[str, Sample], dict[str, Any]]:
    """Median per ``access()`` call of the fully cached engine-only pipeline, in one warm process
    per tool and round; two rounds (A B C, then C B A) of ``calls / 2`` calls each, pooled."""
    names = [n for n in INPROC_APIS if n in tools]
    samples = {n: Sample(label=f"in-process {INPROC_APIS[n][0]}.access()", cmd=[INPROC_APIS[n][1](), "-c", "..."])
               for n in names}
    facts: dict[str, Any] = {n: {"api": f"{INPROC_APIS[n][0]}.access", "request": INPROC_APIS[n][2],
                                 "import_s": [], "warmup_s": []} for n in names}
    per_round = max(2, (calls + 1) // 2)
    for order in (names, names[::-1]):
        for name in order:
            got = inproc_round(tools[name], name, per_round, warmups)
            sample = samples[name]
            sample.times.extend(got.get("times", []))
            facts[name]["import_s"].append(got.get("import_s"))
            facts[name]["warmup_s"] += got.get("warmup_s", [])
            if not got.get("ok"):
                sample.rc = sample.rc or 1
                sample.stderr_tail = str(got.get("error", ""))[-1500:]
                if "FAILED" not in sample.label:
                    sample.label += " [OUTPUT CHECK FAILED]"
    print_case("in-process access(), fully cached engine-only pipeline (per call)", {"": samples})
    return samples, facts


def inproc_round(tool: Runner, name: str, calls: int, warmups: int) -> dict[str, Any]:
    module, python, request = INPROC_APIS[name]
    cmd = [python(), "-c", INPROC_SNIPPET, module, json.dumps(request), str(warmups), str(calls), "60"]
    seconds, rc, out, err, timed_out = run_once(cmd, tool.env(), tool.cwd, 600)
    lines = [line for line in out.splitlines() if line.startswith(INPROC_MARK)]
    if timed_out or not lines:
        return {"ok": False, "error": f"rc={rc} timed_out={timed_out}: {(err or out).strip()[-1500:]}"}
    data = json.loads(lines[-1][len(INPROC_MARK):])
    return data if isinstance(data, dict) else {"ok": False, "error": "no result"}


def cli_vs_inproc(cli: dict[str, Sample], api: dict[str, Sample]) -> None:
    print("   CLI fully cached vs in-process per call:")
    for name, sample in api.items():
        per_call = statistics.median(sample.times) if sample.times else None
        print(f"     {name:10} CLI {fmt_seconds(cli.get(name))}  in-process "
              f"{'n/a' if per_call is None else f'{per_call * 1000:.1f} ms'}", flush=True)


# -- printing / saving -------------------------------------------------------------------------------
def print_case(title: str, result: dict[str, dict[str, Sample]]) -> None:
    print(f"\n== {title}", flush=True)
    for case, samples in result.items():
        for name, sample in samples.items():
            extra = ""
            if name != "colmind" and "colmind" in samples:
                extra = f"  {name}/colmind = {ratio(sample, samples['colmind'])}"
            print(f"   {case:14} {name:28} {fmt_seconds(sample):>10} rc={sample.rc} n={len(sample.times)}{extra}",
                  flush=True)


def to_json(value: Any) -> Any:
    if isinstance(value, Sample):
        return value.to_json()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="colmind vs cmind vs mlcflow: cm run script")
    parser.add_argument("--quick", action="store_true", help="cache sizes 10/1000 only, fewer repetitions")
    parser.add_argument("--skip-mlc", action="store_true", help="leave mlcflow out (it takes 5-30 s a run)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--cache-sizes", default="", help="comma-separated cache sizes (overrides --quick)")
    parser.add_argument("--inproc-calls", type=int, default=20, help="measured access() calls per tool (in-process)")
    parser.add_argument("--only", default="", help=f"comma list of cases to run: {', '.join(CASES)} (default all)")
    parser.add_argument("--out", default=str(RESULTS_DIR / "engine.json"))
    args = parser.parse_args(argv)
    reps = 3 if args.quick else args.reps
    only = set(filter(None, args.only.split(","))) or set(CASES)
    if only - set(CASES):
        parser.error(f"unknown case(s) {', '.join(sorted(only - set(CASES)))}; choose from {', '.join(CASES)}")
    out_path = Path(args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    paths = load_paths()
    if not paths:
        print("PATHS.json missing: run benchmarks/setup_tools.py first; the community-recipe cases need it")
    tools = runners(paths, args.skip_mlc)
    result: dict[str, Any] = {"machine": machine.facts(baseline_python()), "cmd": "python " + " ".join(sys.argv),
                              "paths": paths}
    print("== registering recipe repositories", flush=True)
    register_all(tools, paths)
    ok, why = engine_available(tools["colmind"])
    if not ok:
        print(f"SKIP: colmind has no working `cm run script` yet ({why}); engine benchmark skipped")
        result["skipped"] = why
        out_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        return 0
    result["engine_monitor"] = settle_monitors(tools, paths)
    if "engine_only" in only:
        result["engine_only"] = engine_only(tools, reps)
    if "inproc" in only:
        result["inproc"], result["inproc_facts"] = inproc(tools, args.inproc_calls)
        if args.skip_mlc:
            result["inproc_facts"]["mlcflow"] = {"skipped": "--skip-mlc"}
        cli_vs_inproc(result.get("engine_only", {}).get("fully cached", {}), result["inproc"])
    if "numpy" in only and paths.get("cm4mlops_repo"):
        result["numpy"] = numpy_pipeline(tools, reps)
    if "dry_run" in only:
        result["dry_run"] = dry_run(tools, max(reps, 5))
    sizes = [int(s) for s in args.cache_sizes.split(",") if s] or ([10, 1000] if args.quick else [10, 100, 1000, 10000])
    if "cache_find" in only:
        result["cache_find"], result["cache_monitor"] = cache_scaling(sizes, max(reps, 5), paths)
    result["monitor_stop"] = stop_monitors(tools)
    result["monitors_left"] = monitorctl.running_under(ENGINE_DIR)  # `ps aux | grep monitord`, our homes only
    print(f"\nindex monitors left under {ENGINE_DIR}: {result['monitors_left'] or 'none'}")
    result["machine"]["load_end"] = machine.load_average()
    out_path.write_text(json.dumps(to_json(result), indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
