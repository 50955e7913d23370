"""``make demo``: the main job end to end on embedded defaults.

A tour of the core (a scratch repo, artifacts, the index) and then, when the script engine and
the MLPerf recipes are present, the MLPerf inference run on the digits model.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from colmind.api import access
from colmind.exitcodes import exit_status


def _step(title: str) -> None:
    print(f"\n=== {title}", flush=True)


def _ok(result: dict, what: str) -> dict:
    if result.get("return", 0) > 0:
        print(f"CM error during {what}: {result.get('error')}", file=sys.stderr)
        sys.exit(exit_status(result["return"]))
    return result


def core_tour(workdir: str) -> None:
    """Create a repo, add and find artifacts, show the index at work."""
    _step("core: a repository with artifacts")
    repo_dir = os.path.join(workdir, "demo-repo")
    if access({"action": "find", "automation": "repo", "artifact": "colmind-demo"}).get("list"):
        print("(the demo repository exists from an earlier run: starting it afresh)")
        _ok(access({"action": "rm", "automation": "repo", "artifact": "colmind-demo", "all": True,
                    "force": True}), "rm repo")
    _ok(access({"action": "init", "automation": "repo", "artifact": "colmind-demo", "path": repo_dir,
                "out": "con"}), "init repo")
    _ok(access({"action": "add", "automation": "automation", "artifact": "colmind-demo:experiment-note",
                "out": "con"}), "add automation")
    for n in range(200):
        tags = ["demo", f"group{n % 10}"] + (["special"] if n % 50 == 0 else [])
        _ok(access({"action": "add", "automation": "experiment-note", "artifact": f"colmind-demo:note{n:03d}",
                    "tags": ",".join(tags)}), "add artifact")
    start = time.perf_counter()
    found = _ok(access({"action": "find", "automation": "experiment-note", "tags": "demo,special"}), "find")
    took = (time.perf_counter() - start) * 1000
    print(f"find --tags=demo,special -> {len(found['list'])} of 200 artifacts in {took:.1f} ms (SQLite index)")
    _step("core: a hand edit is seen without a reindex")
    path = found["list"][0].path
    with open(os.path.join(path, "_cm.json"), encoding="utf-8") as handle:
        text = handle.read()
    with open(os.path.join(path, "_cm.json"), "w", encoding="utf-8") as handle:
        handle.write(text.replace('"demo"', '"demo", "edited-by-hand"'))
    again = _ok(access({"action": "find", "automation": "experiment-note", "tags": "edited-by-hand"}), "find")
    print(f"find --tags=edited-by-hand -> {[a.alias for a in again['list']]}")


def main() -> int:
    workdir = os.path.abspath(os.environ.get("COLMIND_DEMO_DIR") or tempfile.mkdtemp(prefix="colmind-demo-"))
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)  # run records and reports land in the demo folder, not in the caller's
    os.environ.setdefault("CM_REPOS", os.path.join(workdir, "CM"))
    print(f"colmind demo in {workdir} (CM_REPOS={os.environ['CM_REPOS']})")
    start = time.perf_counter()
    core_tour(workdir)
    from colmind.demo_mlperf import run_mlperf_demo

    code = run_mlperf_demo(workdir)
    print("\nExplore these results in the Playground (then open the printed URL):")
    print(f"  CM_REPOS={os.environ['CM_REPOS']} cm run script \"gui _playground\"   "
          "# http://127.0.0.1:8765/?action=experiments&tags=mlperf-inference")
    print(f"\ncolmind demo finished in {time.perf_counter() - start:.0f} s (exit {code})")
    return code


if __name__ == "__main__":
    sys.exit(exit_status(main()))
