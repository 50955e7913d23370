"""Core benchmark: colmind vs cmind 4.2.0, side by side, in one run.

Measured (wall time of the whole command, median of several repetitions, ``.pyc`` caching ON):

* start-up: ``python -c pass`` (baseline), ``cm`` with no arguments, ``cm version``;
* on synthetic repositories of 1k / 10k / 50k artifacts (``synthrepo.py``), registered with
  ``cm import repo --path=...`` in each tool's own private ``CM_REPOS``:
  find by tags (selective), find by alias, list-all (``cm find benchart``), and the index build
  (colmind: the first command after registration, and ``cm reindex repo``; cmind: ``cm import
  repo`` (which reindexes) and ``cm reindex repo``).

Three tools on the synthetic repositories, measured interleaved: ``colmind`` (its default,
``CM_INDEX_MONITOR`` unset = ``auto``: a query that had to stat-check >= 250 artifacts starts the
index monitor in the background), ``colmind (no monitor)`` (``CM_INDEX_MONITOR=no``: every query
stat-checks every artifact; its own home, since a monitor-off client clears the monitor-on
tokens) and ``cmind``. For the default, the benchmark waits after the first query until the
monitor answers (``monitorctl.py``) and records how long it took (a monitor that did not start is
reported as is). Every monitor started is stopped at the end of its size
(and checked gone).

Both tools must print the same artifacts; every query is checked against the generator's expected
count. cmind runs with ``CM_CORE_SKIP_INTERNAL_REPOS=1`` so that the cm4mlops package installed in
its venv is not searched too. A cmind command over ``--cap`` seconds is stopped and reported as
``> N s``.

Usage: ``python benchmarks/bench_core.py [--quick] [--no-pyc] [--reps N] [--cap S]``.
Writes ``benchmarks/.work/results/core.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import machine  # noqa: E402
import monitorctl  # noqa: E402
import synthrepo  # noqa: E402
from timing import Job, Sample, fmt_seconds, measure_group, ratio, single  # noqa: E402
from toolenv import (  # noqa: E402
    WORK_DIR,
    CMHome,
    baseline_python,
    clean_env,
    cmind_cm,
    colmind_cm,
    have_cmind,
)

CORE_DIR = WORK_DIR / "core"
RESULTS_DIR = WORK_DIR / "results"
CMIND_EXTRA = {"CM_CORE_SKIP_INTERNAL_REPOS": "1"}
NOMON = "colmind (no monitor)"
NOMON_EXTRA = {"CM_INDEX_MONITOR": "no"}


class Tool:
    """One CM implementation with its own private home."""

    def __init__(self, name: str, exe: str, home: Path, extra: dict[str, str] | None = None) -> None:
        self.name, self.exe, self.home = name, exe, CMHome(home)
        self.extra = extra or {}
        self.is_colmind = name.startswith("colmind")

    def env(self, bytecode: bool = True, more: dict[str, str] | None = None) -> dict[str, str]:
        extra = dict(self.extra)
        extra.update(more or {})
        return self.home.env(bytecode=bytecode, extra=extra)

    def cmd(self, *args: str) -> list[str]:
        return [self.exe, *args]

    def reset(self) -> None:
        self.stop_monitor()  # one left by an earlier run would serve a deleted $CM_REPOS
        shutil.rmtree(self.home.home, ignore_errors=True)
        self.home.home.mkdir(parents=True)

    def stop_monitor(self) -> dict[str, Any]:
        """Stop colmind's index monitor of this home (if any); ``left`` lists survivors."""
        if not self.is_colmind:
            return {}
        return monitorctl.stop(self.home.repos, self.env(), str(CORE_DIR))


def tools_for(tag: str, nomon: bool = False) -> list[Tool]:
    homes = CORE_DIR / "homes"
    tools = [Tool("colmind", colmind_cm(), homes / f"colmind-{tag}")]
    if nomon:
        tools.append(Tool(NOMON, colmind_cm(), homes / f"colmind-nomon-{tag}", NOMON_EXTRA))
    if have_cmind():
        tools.append(Tool("cmind", cmind_cm(), homes / f"cmind-{tag}", CMIND_EXTRA))
    return tools


# -- start-up ----------------------------------------------------------------------------------
def bench_startup(reps: int, no_pyc: bool) -> dict[str, Any]:
    tools = tools_for("startup")
    for tool in tools:
        tool.reset()
    cwd = str(CORE_DIR)
    variants: list[tuple[str, bool, dict[str, str]]] = [("pyc", True, {})]
    if no_pyc:
        empty = CORE_DIR / "empty-pycache"
        shutil.rmtree(empty, ignore_errors=True)
        empty.mkdir(parents=True)
        variants.append(("no-pyc", False, {"PYTHONPYCACHEPREFIX": str(empty)}))
    out: dict[str, Any] = {}
    for variant, bytecode, more in variants:
        env = clean_env(CORE_DIR, bytecode=bytecode, extra=more)
        jobs = [Job("python -c pass", [baseline_python(), "-c", "pass"], env, cwd)]
        for tool in tools:
            tenv = tool.env(bytecode=bytecode, more=more)
            jobs.append(Job(f"{tool.name}: cm", tool.cmd(), tenv, cwd))
            jobs.append(Job(f"{tool.name}: cm version", tool.cmd("version"), tenv, cwd))
        rows = measure_group(jobs, reps=reps, warmup=2)
        out[variant] = rows
        print_rows(f"start-up ({variant})", rows)
    return out


# -- synthetic repositories ---------------------------------------------------------------------
def bench_size(size: int, reps: int, cap: float) -> dict[str, Any]:
    print(f"\n== {size} artifacts: generating/reusing the repository ...", flush=True)
    repo = synthrepo.generate(CORE_DIR, size)
    tags, expected_tags = synthrepo.selective_query(size)
    alias = synthrepo.alias_of(size // 2 + 7)
    tools = tools_for(str(size), nomon=True)
    monitor: dict[str, Any] = {}
    per_tool: dict[str, dict[str, Sample]] = {tool.name: register(tool, repo.path, tags, cap, size, monitor)
                                              for tool in tools}
    queries = {"find by tags": ("find", "benchart", f"--tags={tags}"),
               "find by alias": ("find", "benchart", alias),
               "list-all": ("find", "benchart"),
               "reindex": ("reindex", "repo")}
    for query, args in queries.items():
        # The first query is this very tag query: when it already hit the cap, do not wait again.
        capped = {t.name for t in tools if query == "find by tags" and per_tool[t.name]["first query"].timed_out}
        jobs = [Job(tool.name, tool.cmd(*args), tool.env(), str(tool.home.home)) for tool in tools
                if tool.name not in capped]
        slow = query in ("list-all", "reindex")
        got = measure_group(jobs, reps=max(3, reps // 2) if slow else reps, timeout=cap * (3 if query == "reindex" else 1),
                            budget=120 if slow else 90)
        for name in capped:
            tool_cmd = next(t for t in tools if t.name == name).cmd(*args)
            got[name] = Sample(label=query, cmd=tool_cmd, timed_out=True, rc=-1, cap_s=cap)
        for name, sample in got.items():
            sample.label = query
            per_tool[name][query] = sample
            print(f"   {name:20} {query:20} {fmt_seconds(sample):>12}  rc={sample.rc} n={len(sample.times)}",
                  flush=True)
    for tool in tools:
        after = single("query after reindex", tool.cmd("find", "benchart", f"--tags={tags}"), tool.env(),
                       str(tool.home.home), timeout=cap)
        per_tool[tool.name]["query after reindex"] = after
    checks = check_outputs(per_tool, expected_tags, size)
    result = {"size": size, "tags_query": tags, "alias_query": alias, "expected_tags": expected_tags,
              "tools": per_tool, "checks": checks, "monitor": monitor, "monitor_stop": stop_monitors(tools)}
    print_size(result)
    return result


def register(tool: Tool, repo: Path, tags: str, cap: float, size: int, monitor: dict[str, Any]) -> dict[str, Sample]:
    """Register the repo in a fresh home; time that and the first query (which may build the index).

    colmind (both settings): then wait until its index monitor answers (if one should start), time
    that, and time a second query (with a monitor: the first one that asks it, and stores its tokens).
    """
    tool.reset()
    env, cwd = tool.env(), str(tool.home.home)
    query = tool.cmd("find", "benchart", f"--tags={tags}")
    rows = {"register": single("register", tool.cmd("import", "repo", f"--path={repo}"), env, cwd,
                               timeout=cap * 3),
            "first query": single("first query", query, env, cwd, timeout=cap)}
    if tool.is_colmind:
        info = monitorctl.wait_ready(tool.home.repos, env, cwd, since=time.time(), checked=size)
        monitor[tool.name] = info
        rows["second query"] = single("second query", query, env, cwd, timeout=cap)
    for name, sample in rows.items():
        print(f"   {tool.name:20} {name:20} {fmt_seconds(sample):>12}  rc={sample.rc}", flush=True)
        if name == "first query" and tool.name in monitor:
            print(f"   {tool.name:20} index monitor: {monitorctl.describe(monitor[tool.name])}", flush=True)
    return rows


def stop_monitors(tools: list[Tool]) -> dict[str, Any]:
    """Stop every colmind monitor of this size and check that none is left (``ps``)."""
    out = {tool.name: tool.stop_monitor() for tool in tools if tool.is_colmind}
    for name, info in out.items():
        state = "stopped" if info.get("was_running") else "none was running"
        if info.get("left"):
            state += f"; STILL RUNNING after stop (sent SIGTERM): {info['left']}"
        print(f"   {name:20} index monitor at the end: {state}", flush=True)
    return out


def check_outputs(per_tool: dict[str, dict[str, Sample]], expected_tags: int, size: int) -> dict[str, Any]:
    """Every tool prints the same artifact paths, in the expected numbers."""
    expected = {"find by tags": expected_tags, "find by alias": 1, "list-all": size, "first query": expected_tags,
                "second query": expected_tags, "query after reindex": expected_tags}
    checks: dict[str, Any] = {}
    for query, count in expected.items():
        outputs = {name: rows[query] for name, rows in per_tool.items() if query in rows}
        counts = {name: len(s.lines()) for name, s in outputs.items() if not s.timed_out}
        sets = [frozenset(s.lines()) for s in outputs.values() if not s.timed_out]
        checks[query] = {"expected": count, "counts": counts,
                         "ok": all(c == count for c in counts.values()) and len(set(sets)) <= 1,
                         "rc": {name: s.rc for name, s in outputs.items()}}
    return checks


# -- printing / saving -----------------------------------------------------------------------
def print_rows(title: str, rows: dict[str, Sample]) -> None:
    print(f"\n== {title}")
    for name, sample in rows.items():
        print(f"   {name:28} {fmt_seconds(sample):>12}  (best {fmt_seconds_best(sample)}, n={len(sample.times)})")


def fmt_seconds_best(sample: Sample) -> str:
    return f"{sample.best * 1000:.1f} ms" if sample.best is not None else "n/a"


def print_size(result: dict[str, Any]) -> None:
    tools = result["tools"]
    if "cmind" in tools:
        print(f"   ratios cmind/colmind, cmind/colmind (no monitor), no monitor/default at {result['size']}:")
        for query in ("find by tags", "find by alias", "list-all", "reindex"):
            print(f"     {query:16} {ratio(tools['cmind'][query], tools['colmind'][query]):>10}"
                  f" {ratio(tools['cmind'][query], tools.get(NOMON, {}).get(query)):>10}"
                  f" {ratio(tools.get(NOMON, {}).get(query), tools['colmind'][query]):>10}")
    for query, check in result["checks"].items():
        print(f"   check {query}: {'OK' if check['ok'] else 'MISMATCH'} {check}")


def to_json(value: Any) -> Any:
    if isinstance(value, Sample):
        return value.to_json()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="colmind vs cmind: start-up and repository queries")
    parser.add_argument("--quick", action="store_true", help="1k and 10k artifacts only")
    parser.add_argument("--sizes", default="", help="comma-separated sizes (overrides --quick)")
    parser.add_argument("--reps", type=int, default=9, help="measured repetitions per query")
    parser.add_argument("--startup-reps", type=int, default=21)
    parser.add_argument("--cap", type=float, default=120.0, help="seconds before a command is stopped")
    parser.add_argument("--no-pyc", action="store_true", help="also time start-up with no .pyc at all")
    parser.add_argument("--out", default=str(RESULTS_DIR / "core.json"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s] or ([1000, 10000] if args.quick else [1000, 10000, 50000])
    if not have_cmind():
        print("cmind venv missing: run benchmarks/setup_tools.py first (colmind-only numbers follow)")
    CORE_DIR.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"machine": machine.facts(baseline_python()), "cmd": "python " + " ".join(sys.argv),
                              "colmind_cm": colmind_cm(), "cmind_cm": cmind_cm() if have_cmind() else None,
                              "startup": bench_startup(args.startup_reps, args.no_pyc), "sizes": []}
    for size in sizes:
        result["sizes"].append(bench_size(size, args.reps, args.cap))
    result["machine"]["load_end"] = machine.load_average()
    # `ps aux | grep monitord`: none may be left in this run's homes; others under CORE_DIR are reported apart
    ours = [CORE_DIR / "homes" / f"{kind}-{size}" for size in sizes for kind in ("colmind", "colmind-nomon")]
    everywhere = monitorctl.running_under(CORE_DIR)
    result["monitors_left"] = [line for line in everywhere if any(f"{home}/" in line for home in ours)]
    result["monitors_other"] = [line for line in everywhere if line not in result["monitors_left"]]
    print(f"\nindex monitors left in this run's homes: {result['monitors_left'] or 'none'}")
    if result["monitors_other"]:
        print(f"(not started by this run, left alone: {result['monitors_other']})")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(to_json(result), indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
