"""Render ``benchmarks/RESULTS.md`` from the JSON results of the benchmark scripts.

The numbers, tables and target verdicts are regenerated every time. The hand-written
interpretation between ``<!-- interpretation:start -->`` and ``<!-- interpretation:end -->`` in the
existing RESULTS.md is kept, so a rerun does not erase the analysis (update it when numbers move).

Usage: ``python benchmarks/report.py [--results DIR] [--out FILE]`` (``run_all.py`` calls it with
no options: ``.work/results/`` into ``benchmarks/RESULTS.md``). With ``--out`` elsewhere (a smoke
run), the interpretation is taken from that file when it has one, else from RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from monitorctl import describe as describe_monitor  # noqa: E402
from toolenv import BENCH_DIR, PROJECT_ROOT, WORK_DIR  # noqa: E402

RESULTS_MD = BENCH_DIR / "RESULTS.md"
RESULTS_DIR = WORK_DIR / "results"
START, END = "<!-- interpretation:start -->", "<!-- interpretation:end -->"
DEFAULT_INTERPRETATION = "(no hand-written interpretation yet)"
NOMON = "colmind (no monitor)"


# -- formatting helpers ------------------------------------------------------------------------------
def secs(value: float | None, capped: bool = False, cap: float = 0.0) -> str:
    if capped:
        return f"> {cap:.0f} s"
    if value is None:
        return "n/a"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def cell(sample: dict[str, Any] | None) -> str:
    """``median (best)`` of a sample."""
    if not sample:
        return "n/a"
    if sample.get("timed_out"):
        return secs(None, True, sample.get("cap_s", 0))
    text = secs(sample.get("median"))
    if sample.get("n", 0) > 1:
        text += f" ({secs(sample.get('best'))})"
    if sample.get("rc") not in (0, None):
        text += f" rc={sample['rc']}"
    return text


def rat(slow: dict[str, Any] | None, fast: dict[str, Any] | None, key: str = "median") -> str:
    if not slow or not fast or not fast.get(key):
        return "n/a"
    if slow.get("timed_out"):
        return f"> {slow['cap_s'] / fast[key]:,.0f}x"
    if not slow.get(key):
        return "n/a"
    return f"{slow[key] / fast[key]:,.1f}x"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def load(name: str, results: Path = RESULTS_DIR) -> dict[str, Any] | None:
    try:
        data = json.loads((results / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# -- core -------------------------------------------------------------------------------------------
def core_section(core: dict[str, Any]) -> tuple[str, list[list[str]]]:
    parts = ["## Core: colmind vs cmind 4.2.0", "",
             "Wall time of the whole command; **median (best)** of interleaved repetitions "
             "(colmind, cmind, colmind, ...); ratio = cmind / colmind medians.", ""]
    if any(NOMON in block.get("tools", {}) for block in core.get("sizes", [])):
        parts += ["On the synthetic repositories, **colmind** is its default (`CM_INDEX_MONITOR` unset = `auto`: "
                  "a query that had to stat-check >= 250 artifacts starts the index monitor in the background, "
                  "later queries ask it what changed) and **colmind (no monitor)** is `CM_INDEX_MONITOR=no` "
                  "(every query stat-checks every artifact), in its own home; both are measured interleaved with "
                  "cmind. The default is measured only after its monitor answers (the wait is shown in the "
                  "table).", ""]
    targets: list[list[str]] = []
    for variant, rows in core.get("startup", {}).items():
        base = rows.get("python -c pass")
        body = [["`python -c pass`", cell(base), "", "1.0x"]]
        for what in ("cm", "cm version"):
            mine, theirs = rows.get(f"colmind: {what}"), rows.get(f"cmind: {what}")
            body.append([f"`{what}`", cell(mine), cell(theirs), rat(mine, base)])
        title = "with .pyc caches" if variant == "pyc" else "no .pyc at all (PYTHONDONTWRITEBYTECODE=1, empty PYTHONPYCACHEPREFIX)"
        parts += [f"### Start-up, {title}", "",
                  table(["command", "colmind", "cmind", "colmind / python -c pass"], body), ""]
        if variant == "pyc":
            for what in ("cm", "cm version"):
                mine = rows.get(f"colmind: {what}")
                for key in ("median", "best"):
                    if mine and base and mine.get(key) and base.get(key):
                        value = mine[key] / base[key]
                        targets.append([f"start-up `{what}` within 1.5x of `python -c pass` ({key})",
                                        f"{value:.2f}x", verdict(value <= 1.5)])
    for block in core.get("sizes", []):
        parts += size_table(block)
        targets += size_targets(block)
    return "\n".join(parts), targets


def size_table(block: dict[str, Any]) -> list[str]:
    size, tools = block["size"], block["tools"]
    mine, nomon, theirs = tools.get("colmind", {}), tools.get(NOMON), tools.get("cmind", {})
    checks = block.get("checks", {})
    rows = []
    labels = {"find by tags": f"find by tags `--tags={block['tags_query']}`",
              "find by alias": f"find by alias `{block['alias_query']}`", "list-all": "list-all `cm find benchart`",
              "register": "register (`cm import repo --path=`)", "first query": "first query after registration",
              "second query": "second query (colmind: after its monitor answers, if one started)",
              "reindex": "`cm reindex repo`", "query after reindex": "first query after reindex"}
    for key, label in labels.items():
        check = checks.get(key)
        ok = "" if check is None else ("same output" if check["ok"] else f"MISMATCH {check['counts']}")
        if key not in mine and (nomon is None or key not in nomon):
            continue  # e.g. "second query" in results written before the monitor columns existed
        row = [label, cell(mine.get(key))]
        row += [] if nomon is None else [cell(nomon.get(key))]
        row += [cell(theirs.get(key)), rat(theirs.get(key), mine.get(key))]
        row += [] if nomon is None else [rat(theirs.get(key), nomon.get(key))]
        rows.append(row + [ok])
    build = ["index build, total (colmind: register + first query; cmind: register, which reindexes)",
             total_cell(mine, ("register", "first query"))]
    build += [] if nomon is None else [total_cell(nomon, ("register", "first query"))]
    build += [total_cell(theirs, ("register",)), total_ratio(theirs, ("register",), mine, ("register", "first query"))]
    build += [] if nomon is None else [total_ratio(theirs, ("register",), nomon, ("register", "first query"))]
    rows.append(build + [""])
    header = ["operation", "colmind", "cmind", "cmind/colmind", "check"]
    if nomon is not None:
        header = ["operation", "colmind", "colmind (no monitor)", "cmind", "cmind/colmind",
                  "cmind/colmind (no monitor)", "check"]
        rows.append(monitor_row(block, len(header)))
    return [f"### {size:,} artifacts", "", table(header, rows), ""]


def monitor_row(block: dict[str, Any], width: int) -> list[str]:
    """colmind's index monitor at this size: how long after the first query it answered; its stop."""
    info = block.get("monitor", {})
    stop = block.get("monitor_stop", {})
    left = [x for v in stop.values() for x in v.get("left", [])]
    note = "stopped at the end, none left" if not left else f"LEFT RUNNING after stop: {left}"
    if not any(v.get("was_running") for v in stop.values()) and not left:
        note = "none running at the end"
    row = ["index monitor (colmind default)", describe_monitor(info.get("colmind")),
           describe_monitor(info.get(NOMON))]
    return row + [""] * (width - 4) + [note]


def total(samples: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    values = [samples.get(k, {}).get("median") for k in keys]
    return None if any(v is None for v in values) else sum(values)


def total_cell(samples: dict[str, Any], keys: tuple[str, ...]) -> str:
    if any(samples.get(k, {}).get("timed_out") for k in keys):
        return "> " + secs(sum(samples[k].get("cap_s", 0) for k in keys if samples[k].get("timed_out")))
    return secs(total(samples, keys))


def total_ratio(slow: dict[str, Any], skeys: tuple[str, ...], fast: dict[str, Any], fkeys: tuple[str, ...]) -> str:
    a, b = total(slow, skeys), total(fast, fkeys)
    return f"{a / b:,.1f}x" if a and b else "n/a"


def size_targets(block: dict[str, Any]) -> list[list[str]]:
    """Targets for colmind's default; the no-monitor setting is shown too, for reference."""
    size, tools = block["size"], block["tools"]
    theirs = tools.get("cmind", {})
    out = []
    for name, suffix in (("colmind", ""), (NOMON, " (no monitor, for reference)")):
        mine = tools.get(name)
        if mine is None:
            continue
        tags = mine.get("find by tags") or {}
        if size == 50000 and tags.get("median"):
            out.append([f"find by tags at 50k < 50 ms{suffix}", secs(tags["median"]), verdict(tags["median"] < 0.05)])
            speed = rat(theirs.get("find by tags"), tags)
            value = _ratio_value(theirs.get("find by tags"), tags)
            out.append([f"find by tags at 50k >= 1000x faster than cmind{suffix}", speed,
                        verdict(value is not None and value >= 1000)])
        listing = mine.get("list-all") or {}
        if size == 10000 and listing.get("median"):
            out.append([f"list-all of 10k < 0.5 s{suffix}", secs(listing["median"]), verdict(listing["median"] < 0.5)])
    return out


def _ratio_value(slow: dict[str, Any] | None, fast: dict[str, Any]) -> float | None:
    if not slow or not fast.get("median"):
        return None
    if slow.get("timed_out"):
        return slow["cap_s"] / fast["median"]
    return slow["median"] / fast["median"] if slow.get("median") else None


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


# -- engine -----------------------------------------------------------------------------------------
def _monitor_state(info: dict[str, Any]) -> str:
    if info.get("ready"):
        return f"ready {info.get('ready_s') or 0:.2f} s after that run"
    return "none started (below its threshold)" if not info.get("expected") else "did NOT answer"


def engine_section(engine: dict[str, Any]) -> tuple[str, list[list[str]]]:
    parts = ["## Engine: `cm run script` (colmind vs cmind+cm4mlops vs mlcflow)", ""]
    if engine.get("skipped"):
        return "\n".join(parts + [f"Skipped: {engine['skipped']}", ""]), []
    targets: list[list[str]] = []
    settled = engine.get("engine_monitor") or {}
    if settled:
        states = "; ".join(f"{name}: {_monitor_state(info)}" for name, info in settled.items())
        parts += ["Before measuring, each colmind home ran the engine-only pipeline once and the benchmark "
                  f"waited for its index monitor, if one started ({states}).", ""]
    for key, title in (("engine_only", "Engine-only 4-dependency pipeline (`benchmarks/recipes/`)"),
                       ("numpy", "Real `get,generic-python-lib,_numpy` pipeline (community recipes)")):
        if key not in engine:
            continue
        rows = []
        for case, samples in engine[key].items():
            base = samples.get("colmind")
            for name, sample in samples.items():
                rows.append([case, name, cell(sample), "" if name == "colmind" else rat(sample, base)])
        parts += [f"### {title}", "", table(["case", "tool", "median (best)", "tool/colmind"], rows), ""]
    eo = engine.get("engine_only", {}).get("fully cached", {})
    value = _ratio_value(eo.get("cmind"), eo.get("colmind") or {})
    if value is not None:
        targets.append(["fully cached engine-only pipeline >= 20x faster than cmind", f"{value:.1f}x",
                        verdict(value >= 20)])
    warm = engine.get("numpy", {}).get("warm", {})
    value = _ratio_value(warm.get("cmind"), warm.get("colmind") or {})
    if value is not None:
        targets.append(["warm `_numpy` pipeline >= 5x faster than cmind", f"{value:.1f}x", verdict(value >= 5)])
    text, found = inproc_part(engine)
    parts += text
    targets += found
    if engine.get("dry_run"):
        rows = [[name, cell(s)] for name, s in engine["dry_run"].items()]
        parts += ["### colmind `--dry-run` plan time", "", table(["pipeline", "median (best)"], rows), ""]
    text, found = cache_part(engine)
    return "\n".join(parts + text), targets + found


def cache_part(engine: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """``cm find cache`` vs cache size: colmind default, colmind with the monitor off, cmind."""
    cache = engine.get("cache_find", {})
    if not cache:
        return [], []
    monitors = engine.get("cache_monitor", {})
    has_nomon = any(NOMON in samples for samples in cache.values())
    rows = []
    for size, samples in cache.items():
        mine, nomon, theirs = samples.get("colmind"), samples.get(NOMON), samples.get("cmind")
        row = [f"{int(size):,}", cell(mine)] + ([cell(nomon)] if has_nomon else [])
        row += [cell(theirs), rat(theirs, mine)] + ([rat(theirs, nomon)] if has_nomon else [])
        if has_nomon:
            row.append(describe_monitor(monitors.get(size, {}).get("monitor", {}).get("colmind")))
        rows.append(row)
    header = ["entries", "colmind", "cmind", "cmind/colmind"]
    if has_nomon:
        header = ["entries", "colmind", "colmind (no monitor)", "cmind", "cmind/colmind", "cmind/colmind (no monitor)",
                  "index monitor (colmind default)"]
    parts = ["### `cm find cache --tags=benchlib,pkg-7` vs number of cache entries", ""]
    if has_nomon:
        parts += ["colmind = its default (`CM_INDEX_MONITOR` unset = auto; measured after its monitor answers when "
                  "one starts), colmind (no monitor) = `CM_INDEX_MONITOR=no` in its own home.", ""]
    parts += [table(header, rows), ""]
    targets = []
    for name, suffix in (("colmind", ""), (NOMON, ", no monitor, for reference")):
        medians = [s[name]["median"] for s in cache.values() if (s.get(name) or {}).get("median")]
        if len(medians) >= 2:
            growth = medians[-1] / medians[0]
            targets.append([f"cache lookup nearly flat from 10 to 10,000 entries (colmind{suffix}, last/first)",
                            f"{growth:.2f}x", verdict(growth <= 1.5)])
    return parts, targets


def first_call(fact: dict[str, Any]) -> str:
    """Median time of the first ``access()`` in each fresh process (import not included)."""
    warm = fact.get("warmup_s") or []
    per_process = max(1, len(warm) // max(1, len(fact.get("import_s") or [1])))
    firsts = warm[::per_process]
    return secs(statistics.median(firsts)) if firsts else "n/a"


def inproc_part(engine: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The fully cached engine-only pipeline through each tool's ``access()`` in one warm process."""
    api = engine.get("inproc")
    if not api:
        return [], []
    facts, cli = engine.get("inproc_facts", {}), engine.get("engine_only", {}).get("fully cached", {})
    base = api.get("colmind")
    rows = []
    for name, sample in api.items():
        fact = facts.get(name, {})
        rows.append([name, f"`{fact.get('api', '?')}()`", cell(sample), "" if name == "colmind" else rat(sample, base),
                     first_call(fact), cell(cli.get(name)), rat(cli.get(name), sample)])
    for name, fact in facts.items():
        if fact.get("skipped"):
            rows.append([name, "", f"not measured ({fact['skipped']})", "", "", "", ""])
    parts = ["### In-process API: fully cached engine-only pipeline, per `access()` call", "",
             "One warm Python process per tool calls `access({'action': 'run', 'automation': 'script', "
             "'tags': 'bench,bench-top', 'quiet': True})` (mlcflow: `'target': 'script'`) repeatedly after 2 "
             "warm-ups (two processes per tool, in the order A B C then C B A, times pooled); same homes "
             "and environment as the CLI case. This is how CM scripts call each other (nested `access()`).", "",
             table(["tool", "API", "median per call (best)", "tool/colmind", "first call in a fresh process",
                    "CLI fully cached (above)", "CLI / in-process"], rows), ""]
    value = _ratio_value(api.get("cmind"), base or {})
    targets = []
    if value is not None:
        targets.append(["fully cached engine-only pipeline >= 20x faster than cmind (in-process `access()`, "
                        "second view)", f"{value:.1f}x", verdict(value >= 20)])
    return parts, targets


# -- document -------------------------------------------------------------------------------------------
def machine_block(runs: dict[str, dict[str, Any] | None]) -> str:
    first = next((r for r in runs.values() if r), {})
    m = first.get("machine", {})
    lines = [f"- CPU: {m.get('cpu')}, {m.get('cores')} cores, {m.get('memory')} RAM",
             f"- OS: {m.get('os')}; Python {m.get('python')} (all three tools run on the same interpreter build)"]
    for name, run in runs.items():
        if run:
            rm = run.get("machine", {})
            lines.append(f"- {name} run: {rm.get('date')}, load average (1/5/15 min) at start "
                         f"{rm.get('load_start', 'n/a')}, at end {rm.get('load_end', 'n/a')}")
    return "\n".join(lines) + "\n"


def command(run: dict[str, Any] | None, default: str) -> str:
    cmd = ((run or {}).get("cmd") or default).replace(str(PROJECT_ROOT) + "/", "")
    return cmd if cmd.startswith("python") else "python " + cmd


def kept_interpretation(out: Path = RESULTS_MD) -> str:
    """The hand-written block of ``out`` if it has one, else of RESULTS.md."""
    for path in dict.fromkeys((out, RESULTS_MD)):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        if START in text and END in text:
            return text.split(START, 1)[1].split(END, 1)[0].strip() or DEFAULT_INTERPRETATION
    return DEFAULT_INTERPRETATION


def render(results: Path = RESULTS_DIR, out: Path = RESULTS_MD) -> str:
    core, engine, harness = load("core", results), load("engine", results), load("harness", results)
    parts = ["# colmind benchmarks: colmind vs cmind 4.2.0 vs mlcflow 1.3.8", "",
             "Generated by `benchmarks/report.py` from `benchmarks/.work/results/*.json`; rerun everything with "
             "`python benchmarks/run_all.py` (or `make bench`). `.pyc` caching is ON for every tool "
             "(PYTHONDONTWRITEBYTECODE is removed from the environment), each tool has a private HOME/CM_REPOS.", "",
             "## Machine", "", machine_block({"core": core, "engine": engine}), "## Commands", "", "```",
             "python benchmarks/setup_tools.py      # venvs: cmind 4.2.0 + cmx4mlops 1.0.1; mlcflow 1.3.8 + mlc-scripts 1.2.0a8",
             command(core, "python benchmarks/bench_core.py --no-pyc"),
             command(engine, "python benchmarks/bench_engine.py"),
             "python benchmarks/report.py", "# or all of it: python benchmarks/run_all.py [--quick] [--skip-mlc]",
             "```", "",
             "## Reference tools", "",
             "- cmind 4.2.0 with the cm4mlops recipes from the PyPI wheel `cmx4mlops==1.0.1` (311 scripts + the "
             "CM `script`/`cache` automations), registered with `cm import repo --path=...`; cmind runs with "
             "`CM_CORE_SKIP_INTERNAL_REPOS=1` so only registered repos are searched.",
             "- mlcflow 1.3.8 with the MLC recipes from the PyPI wheel `mlc-scripts==1.2.0a8` (installed "
             "`--no-deps`), registered with `mlc add repo <path>`.",
             "- Not used: `cm4mlops==0.6.25` and `mlc-scripts==1.1.0` are 8-9 kB source stubs whose `setup.py` "
             "runs apt-get and clones the recipes from GitHub at install time (no recipes inside; cannot install "
             "offline).",
             "- colmind runs the same cm4mlops recipes (registered with `cm import repo --path=`) and, in extra "
             "rows, the MLC-format benchmark recipes and its own built-in recipes.", ""]
    targets: list[list[str]] = []
    if core:
        text, found = core_section(core)
        parts += [text, ""]
        targets += found
    if engine:
        text, found = engine_section(engine)
        parts += [text, ""]
        targets += found
    app_md = results / "app.md"
    if app_md.is_file():
        parts += ["## Image-classification app (from `bench_app.py`)", "", app_md.read_text(encoding="utf-8").strip(), ""]
    harness_md = results / "harness.md"
    if harness_md.is_file():
        parts += ["## Harness (from `bench_harness.py`)", "", harness_md.read_text(encoding="utf-8").strip(), ""]
    elif harness:
        parts += ["## Harness (from `bench_harness.py`)", "", "```json",
                  json.dumps(harness.get("summary", harness), indent=2)[:4000], "```", ""]
    dask_md = results / "dask.md"
    if dask_md.is_file():
        parts += ["## Experiments on Dask (from `bench_dask.py`)", "", dask_md.read_text(encoding="utf-8").strip(), ""]
    parts += ["## Targets", "", table(["target", "measured", "verdict"], targets) if targets else "(none measured)",
              "", "## Interpretation", "", START, kept_interpretation(out), END, ""]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="render RESULTS.md from the benchmark JSON results")
    parser.add_argument("--results", default=str(RESULTS_DIR), help="folder with core.json, engine.json, ...")
    parser.add_argument("--out", default=str(RESULTS_MD), help="markdown file to write (default: RESULTS.md)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    text = render(Path(args.results), out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

