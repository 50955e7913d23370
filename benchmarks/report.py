"""Render ``benchmarks/RESULTS.md`` from the JSON results of the benchmark scripts.

The numbers, tables and target verdicts are regenerated every time. The hand-written
interpretation between ``<!-- interpretation:start -->`` and ``<!-- interpretation:end -->`` in the
existing RESULTS.md is kept, so a rerun does not erase the analysis (update it when numbers move).

Usage: ``python benchmarks/report.py`` (``run_all.py`` calls it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from toolenv import BENCH_DIR, PROJECT_ROOT, WORK_DIR  # noqa: E402

RESULTS_MD = BENCH_DIR / "RESULTS.md"
RESULTS_DIR = WORK_DIR / "results"
START, END = "<!-- interpretation:start -->", "<!-- interpretation:end -->"
DEFAULT_INTERPRETATION = "(no hand-written interpretation yet)"


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


def load(name: str) -> dict[str, Any] | None:
    try:
        data = json.loads((RESULTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# -- core -------------------------------------------------------------------------------------------
def core_section(core: dict[str, Any]) -> tuple[str, list[list[str]]]:
    parts = ["## Core: colmind vs cmind 4.2.0", "",
             "Wall time of the whole command; **median (best)** of interleaved repetitions "
             "(colmind, cmind, colmind, ...); ratio = cmind / colmind medians.", ""]
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
    mine, theirs = tools.get("colmind", {}), tools.get("cmind", {})
    checks = block.get("checks", {})
    rows = []
    labels = {"find by tags": f"find by tags `--tags={block['tags_query']}`",
              "find by alias": f"find by alias `{block['alias_query']}`", "list-all": "list-all `cm find benchart`",
              "register": "register (`cm import repo --path=`)", "first query": "first query after registration",
              "reindex": "`cm reindex repo`", "query after reindex": "first query after reindex"}
    for key, label in labels.items():
        check = checks.get(key)
        ok = "" if check is None else ("same output" if check["ok"] else f"MISMATCH {check['counts']}")
        rows.append([label, cell(mine.get(key)), cell(theirs.get(key)), rat(theirs.get(key), mine.get(key)), ok])
    rows.append(["index build, total (colmind: register + first query; cmind: register, which reindexes)",
                 total_cell(mine, ("register", "first query")), total_cell(theirs, ("register",)),
                 total_ratio(theirs, ("register",), mine, ("register", "first query")), ""])
    return [f"### {size:,} artifacts", "",
            table(["operation", "colmind", "cmind", "cmind/colmind", "check"], rows), ""]


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
    size, tools = block["size"], block["tools"]
    mine, theirs = tools.get("colmind", {}), tools.get("cmind", {})
    out = []
    tags = mine.get("find by tags") or {}
    if size == 50000 and tags.get("median"):
        out.append(["find by tags at 50k < 50 ms", secs(tags["median"]), verdict(tags["median"] < 0.05)])
        speed = rat(theirs.get("find by tags"), tags)
        value = _ratio_value(theirs.get("find by tags"), tags)
        out.append(["find by tags at 50k >= 1000x faster than cmind", speed,
                    verdict(value is not None and value >= 1000)])
    listing = mine.get("list-all") or {}
    if size == 10000 and listing.get("median"):
        out.append(["list-all of 10k < 0.5 s", secs(listing["median"]), verdict(listing["median"] < 0.5)])
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
def engine_section(engine: dict[str, Any]) -> tuple[str, list[list[str]]]:
    parts = ["## Engine: `cm run script` (colmind vs cmind+cm4mlops vs mlcflow)", ""]
    if engine.get("skipped"):
        return "\n".join(parts + [f"Skipped: {engine['skipped']}", ""]), []
    targets: list[list[str]] = []
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
    if engine.get("dry_run"):
        rows = [[name, cell(s)] for name, s in engine["dry_run"].items()]
        parts += ["### colmind `--dry-run` plan time", "", table(["pipeline", "median (best)"], rows), ""]
    cache = engine.get("cache_find", {})
    if cache:
        rows = []
        for size, samples in cache.items():
            rows.append([f"{int(size):,}", cell(samples.get("colmind")), cell(samples.get("cmind")),
                         rat(samples.get("cmind"), samples.get("colmind"))])
        parts += ["### `cm find cache --tags=benchlib,pkg-7` vs number of cache entries", "",
                  table(["entries", "colmind", "cmind", "cmind/colmind"], rows), ""]
        medians = [s["colmind"]["median"] for s in cache.values() if s.get("colmind", {}).get("median")]
        if len(medians) >= 2:
            growth = medians[-1] / medians[0]
            targets.append(["cache lookup nearly flat from 10 to 10,000 entries (colmind, last/first)",
                            f"{growth:.2f}x", verdict(growth <= 1.5)])
    return "\n".join(parts), targets


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


def kept_interpretation() -> str:
    try:
        text = RESULTS_MD.read_text(encoding="utf-8")
    except OSError:
        return DEFAULT_INTERPRETATION
    if START in text and END in text:
        return text.split(START, 1)[1].split(END, 1)[0].strip() or DEFAULT_INTERPRETATION
    return DEFAULT_INTERPRETATION


def render() -> str:
    core, engine, harness = load("core"), load("engine"), load("harness")
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
    app_md = RESULTS_DIR / "app.md"
    if app_md.is_file():
        parts += ["## Image-classification app (from `bench_app.py`)", "", app_md.read_text(encoding="utf-8").strip(), ""]
    harness_md = RESULTS_DIR / "harness.md"
    if harness_md.is_file():
        parts += ["## Harness (from `bench_harness.py`)", "", harness_md.read_text(encoding="utf-8").strip(), ""]
    elif harness:
        parts += ["## Harness (from `bench_harness.py`)", "", "```json",
                  json.dumps(harness.get("summary", harness), indent=2)[:4000], "```", ""]
    parts += ["## Targets", "", table(["target", "measured", "verdict"], targets) if targets else "(none measured)",
              "", "## Interpretation", "", START, kept_interpretation(), END, ""]
    return "\n".join(parts)


def main() -> int:
    RESULTS_MD.write_text(render(), encoding="utf-8")
    print(f"wrote {RESULTS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

