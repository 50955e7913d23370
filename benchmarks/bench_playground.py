"""Playground performance on a synthetic set the size of all of ``mlcommons/cm4mlperf-results``.

Builds ~48k records (``--records``) in ``--experiments`` experiment artifacts by varying real
MLPerf v3.1 records of ``tests/fixtures/playground/`` (fresh uids, scaled values), registers them
as a repository in a private ``CM_REPOS``, then measures:

1. the first index of every record into a fresh SQLite database (``indexer.sync``), and an
   incremental pass with nothing changed;
2. ``GET /api/v1/results`` with a filter and a derived metric, on one experiment and on all
   records, against a real server process (``python -m colmind.playground``) on 127.0.0.1;
3. the explorer page drawn in Debian's chromium (Playwright): navigation start to the plot's
   ``data-drawn`` mark (plotly finished);
4. ``--clients`` concurrent clients (threads, ``--requests`` each, a bounded loop on 127.0.0.1)
   mixing explorer pages and API calls: p50/p95 latency.

Prints a markdown section for ``benchmarks/RESULTS.md``.
Usage: ``python benchmarks/bench_playground.py [--records 48000] [--experiments 88] [--clients 20]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "playground" / "cm4mlperf-results-v3.1-sample" / "experiment"
FILTER = "result['Result_Power'] < 100 and result['Accuracy'] > 0"
DERIVED = "result['Power_Efficiency'] = result['Result'] / result['Result_Power']"
CHROMIUM = "/usr/bin/chromium"


def real_records() -> list[dict]:
    out = []
    for f in sorted(SAMPLE.glob("*/*/cm-result.json")):
        out.extend(r for r in json.loads(f.read_text()) if r.get("Result") and r.get("Result_Power"))
    return out


def build(repo: Path, n_records: int, n_exps: int, seed: int = 1) -> None:
    """A repository with ``n_exps`` experiments holding ``n_records`` varied real records."""
    rnd = random.Random(seed)
    base = real_records()
    repo.mkdir(parents=True, exist_ok=True)
    (repo / "cmr.yaml").write_text("alias: bench-playground\nuid: b3c4d5e6f7a8b9c0\n")
    per = n_records // n_exps
    for e in range(n_exps):
        folder = repo / "experiment" / f"bench-exp-{e:03d}"
        run = folder / "2024-01-01.00-00-00.000001"
        run.mkdir(parents=True)
        tags = ["mlperf", "bench", f"group-{e % 8}", "edge" if e % 2 else "datacenter"]
        (folder / "_cm.json").write_text(json.dumps({"alias": folder.name, "automation_alias": "experiment",
                                                     "automation_uid": "a0a2d123ef064bcb", "tags": tags,
                                                     "uid": f"{0xbe000000 + e:016x}"}))
        recs = []
        for i in range(per):
            r = dict(rnd.choice(base))
            scale = rnd.uniform(0.5, 2.0)
            r["Result"] = r["Result"] * scale
            r["Result_Power"] = r["Result_Power"] * rnd.uniform(0.7, 1.3)
            r["uid"] = f"{(e << 24) + i:016x}"
            recs.append(r)
        (run / "cm-result.json").write_text(json.dumps(recs))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as resp:
        body = resp.read()
    return time.perf_counter() - start, body


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def api_url(base: str, **params: str) -> str:
    return base + "/api/v1/results?" + urllib.parse.urlencode(params)


def explorer_url(base: str, **params: str) -> str:
    p = {"action": "experiments", "x": "Result", "y": "Power_Efficiency", "c": "Organization",
         "derived_metrics": DERIVED, "filter": FILTER, "pareto": "max,max", **params}
    return base + "/?" + urllib.parse.urlencode(p)


def bench_api(base: str, repeat: int) -> dict[str, float]:
    """First request (records read from the database), then new filters each time (records in
    memory, filter and derived metric computed), then the same request again (selection cached)."""
    out: dict[str, float] = {}
    for label, params in (("one experiment", {"experiment": "bench-exp-000"}), ("all records", {"tags": "bench"})):
        url = api_url(base, filter=FILTER, derived_metrics=DERIVED, limit="100", **params)
        out[label + " cold"] = get(url)[0]
        fresh = [api_url(base, filter=FILTER + f" and result['Result'] != -{k + 1}", derived_metrics=DERIVED,
                         limit="100", **params) for k in range(repeat)]
        out[label] = statistics.median(get(u)[0] for u in fresh)
        out[label + " cached"] = statistics.median(get(url)[0] for _ in range(repeat))
        out[label + " total"] = json.loads(get(url)[1])["total"]
    cat = [api_url(base, tags="bench", filter=f"result['Organization'] == '{org}'", derived_metrics=DERIVED,
                   limit="100") for org in ("NVIDIA", "Qualcomm", "Dell", "Krai", "SiMa")][:repeat]
    out["categorical"] = statistics.median(get(u)[0] for u in cat)
    return out


def bench_browser(base: str, repeat: int) -> dict[str, float] | None:
    if not os.path.exists(CHROMIUM):
        return None
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for label, params in (("one experiment", {"name": "bench-exp-000"}), ("8 experiments", {"tags": "group-0"})):
            url = explorer_url(base, **params)
            times = []
            for _ in range(repeat + 2):  # the first two loads fill the browser's HTTP and code caches
                page.goto(url)
                page.wait_for_selector("#plot[data-drawn]", timeout=60000)
                times.append(page.evaluate("performance.now()") / 1000)
            out[label] = statistics.median(times[2:])
            out[label + " points"] = int(page.get_attribute("#plot", "data-drawn") or 0)
        browser.close()
    return out


def bench_clients(base: str, clients: int, requests: int) -> dict[str, float]:
    urls = [explorer_url(base, name=f"bench-exp-{i:03d}") for i in range(4)]
    urls += [api_url(base, experiment=f"bench-exp-{i:03d}", filter=FILTER, derived_metrics=DERIVED) for i in range(4)]
    lat: list[float] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        for j in range(requests):
            t, _ = get(urls[(k + j) % len(urls)])
            with lock:
                lat.append(t)
    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    lat.sort()
    return {"p50": lat[len(lat) // 2], "p95": lat[int(len(lat) * 0.95) - 1], "n": len(lat), "wall": wall}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=48000)
    ap.add_argument("--experiments", type=int, default=88)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    ns = ap.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    work = Path(tempfile.mkdtemp(prefix="bench-playground-"))
    env = dict(os.environ, CM_REPOS=str(work / "CM"), CM_INDEX_MONITOR="no",
               PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    os.environ.update({k: env[k] for k in ("CM_REPOS", "CM_INDEX_MONITOR", "PYTHONPATH")})
    sys.path.insert(0, str(ROOT / "src"))
    proc = None
    try:
        t0 = time.perf_counter()
        build(work / "repo", ns.records, ns.experiments)
        built = time.perf_counter() - t0
        subprocess.run([sys.executable, "-m", "colmind", "import", "repo", f"--path={work / 'repo'}"], env=env,
                       check=True, capture_output=True)
        db_url = "sqlite:///" + str(work / "results.db")
        from colmind.playground import db, indexer

        engine = db.open_engine(db_url)
        first = indexer.sync(engine)
        again = indexer.sync(engine)
        engine.dispose()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([sys.executable, "-m", "colmind.playground", "--port", str(port), "--db", db_url],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        api = bench_api(base, ns.repeat)
        browser = bench_browser(base, ns.repeat)
        conc = bench_clients(base, ns.clients, ns.requests)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"## Playground (from `bench_playground.py`)\n\n"
          f"{first.records_written} synthetic records (varied real v3.1 power records) in {first.experiments} "
          f"experiments (built in {built:.1f} s); SQLite; server `python -m colmind.playground` on 127.0.0.1; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}.\n")
    print(f"Filter `{FILTER}`, derived metric `{DERIVED}`.\n")
    print("| measurement | result | target |\n|---|---|---|")
    print(f"| first index of {first.records_written} records | {first.seconds:.2f} s | < 10 s |")
    print(f"| incremental index pass, nothing changed | {ms(again.seconds)} | |")
    for label in ("one experiment", "all records"):
        print(f"| `GET /api/v1/results` filter + derived metric, {label} ({api[label + ' total']:.0f} match): "
              f"first request / new filter each time (median of {ns.repeat}) / same request again | "
              f"{ms(api[label + ' cold'])} / {ms(api[label])} / {ms(api[label + ' cached'])} | < 300 ms |")
    print(f"| `GET /api/v1/results` categorical filter (`result['Organization'] == ...`, a new one each time) + "
          f"derived metric, all records, median | {ms(api['categorical'])} | < 300 ms |")
    if browser:
        for label in ("one experiment", "8 experiments"):
            print(f"| explorer drawn in chromium, {label} ({browser[label + ' points']:.0f} points), "
                  f"navigation start to plot drawn, median | {ms(browser[label])} | < 1.5 s |")
    else:
        print("| explorer drawn in chromium | skipped: /usr/bin/chromium missing | < 1.5 s |")
    print(f"| {ns.clients} concurrent clients x {ns.requests} requests (explorer pages + API), p50 / p95 "
          f"| {ms(conc['p50'])} / {ms(conc['p95'])} ({conc['n']} requests in {conc['wall']:.1f} s) | p95 < 1 s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
