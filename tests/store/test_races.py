"""Real concurrent processes: nothing lost, every JSON file parses, the index equals a scan."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import traceback
from pathlib import Path
from typing import Any

import pytest

WORKERS = 8
PER_WORKER = 5


def _artifact_worker(home: str, idx: int, barrier: Any, results: Any) -> None:
    os.environ["CM_REPOS"] = home
    try:
        import colmind

        barrier.wait(60)
        errors = []
        for k in range(PER_WORKER):
            r = colmind.access({"action": "add", "automation": "myauto", "artifact": f"w{idx}_{k}",
                                "tags": f"w{idx}"})
            if r["return"]:
                errors.append(r)
            r = colmind.access(["update", "myauto", "shared", f"--tags=t{idx}_{k}", f"--meta.log,=e{idx}_{k}"])
            if r["return"]:
                errors.append(r)
        results.put((idx, errors))
    except BaseException:
        results.put((idx, [traceback.format_exc()]))


def _repo_worker(home: str, idx: int, base: str, barrier: Any, results: Any) -> None:
    os.environ["CM_REPOS"] = home
    try:
        import colmind

        barrier.wait(60)
        r = colmind.access({"action": "init", "automation": "repo", "artifact": f"repo{idx}",
                            "path": os.path.join(base, f"repo{idx}")})
        results.put((idx, [r] if r["return"] else []))
    except BaseException:
        results.put((idx, [traceback.format_exc()]))


def _run(target: Any, args_for: Any) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_for(i), barrier, results)) for i in range(WORKERS)]
    for p in procs:
        p.start()
    outcome = dict(results.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(60)
    assert sorted(outcome) == list(range(WORKERS))
    assert all(not errors for errors in outcome.values()), outcome


@pytest.mark.slow
def test_concurrent_adds_and_updates_of_one_artifact(cm_home: Path) -> None:
    import colmind
    from colmind.config import load_settings
    from colmind.core import Core, get_core, reset_core

    assert colmind.access("add automation myauto")["return"] == 0
    assert colmind.access("add myauto shared")["return"] == 0
    reset_core()
    _run(_artifact_worker, lambda i: (str(cm_home), i))

    folder = cm_home / "repos" / "local" / "myauto"
    for meta_file in folder.glob("*/_cm.json"):
        json.loads(meta_file.read_text())  # every file parses
    expected = {f"w{i}_{k}" for i in range(WORKERS) for k in range(PER_WORKER)}
    core = get_core()
    core.begin_request()
    found = {a.alias for a in core.find("myauto")}
    assert found == expected | {"shared"}
    shared = json.loads((folder / "shared" / "_cm.json").read_text())
    assert set(shared["tags"]) == {f"t{i}_{k}" for i in range(WORKERS) for k in range(PER_WORKER)}
    assert sorted(shared["log"]) == sorted(f"e{i}_{k}" for i in range(WORKERS) for k in range(PER_WORKER))
    scan = Core(dataclasses.replace(load_settings(), index=False))
    for tags in ("", "w3", "t5_2", "w0,-w1"):
        assert sorted(a.path for a in core.find("myauto", "", tags)) == sorted(
            a.path for a in scan.find("myauto", "", tags))
    assert {a.alias for a in core.find("myauto", "", "w3")} == {f"w3_{k}" for k in range(PER_WORKER)}
    leftovers = [p for p in folder.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.slow
def test_concurrent_repo_registration(cm_home: Path, tmp_path: Path) -> None:
    import colmind
    from colmind.core import reset_core

    assert colmind.access("find repo")["return"] == 0
    reset_core()
    _run(_repo_worker, lambda i: (str(cm_home), i, str(tmp_path)))
    registered = json.loads((cm_home / "repos.json").read_text())
    assert sorted(registered) == sorted(str(tmp_path / f"repo{i}") for i in range(WORKERS))
    r = colmind.access("find repo")
    assert {x.alias for x in r["list"]} >= {f"repo{i}" for i in range(WORKERS)}
