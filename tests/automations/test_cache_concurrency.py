"""Races and crashes: N identical concurrent runs build one entry and all return it; a run killed
with SIGKILL at a random moment never leaves a complete-but-broken entry, and the next run
succeeds without creating duplicates."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from colmind.testing import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROCESSES = 8
RACE_TRIALS = 20
FAULT_TRIALS = 50


@pytest.fixture
def repo(cm_home, tmp_path, monkeypatch):
    r = run_cli("import", "repo", f"--path={FIXTURES / 'probes-extra' / 'repo'}")
    assert r.code == 0, r.stderr
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return cm_home


def cm(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "colmind", "run", "script", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def entries_with(home: Path, tag: str) -> list[tuple[Path, dict]]:
    root = home / "repos" / "local" / "cache"
    out = []
    for d in sorted(root.iterdir()) if root.is_dir() else []:
        try:
            meta = json.loads((d / "_cm.json").read_text())
        except (OSError, ValueError):
            continue
        if tag in meta.get("tags", []):
            out.append((d, meta))
    return out


def result_json(stderr: str) -> dict:
    start = stderr.index('{\n  "return"')
    return json.loads(stderr[start:stderr.index("\n}\n", start) + 2])


@pytest.mark.slow
def test_concurrent_identical_runs_build_one_entry(repo):
    for trial in range(RACE_TRIALS):
        tag = f"race{trial}"
        procs = [cm("--tags=xprobe,cached-file", f"--extra_cache_tags={tag}", "--sleep=0.2", "--quiet", "-j")
                 for _ in range(PROCESSES)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
        pids = {result_json(err)["new_env"]["XP_FILE_PID"] for _out, err in outs}
        files = {result_json(err)["new_env"]["XP_FILE"] for _out, err in outs}
        found = entries_with(repo, tag)
        assert len(found) == 1, (trial, found)
        path, meta = found[0]
        assert "tmp" not in meta["tags"] and (path / "cm-cached-state.json").is_file()
        assert len(pids) == 1 and len(files) == 1
        assert (path / "runs.txt").read_text().split() == list(pids)  # the native script ran once


def _check_no_broken_complete_entries(home: Path, tag: str) -> None:
    for path, meta in entries_with(home, tag):
        state = path / "cm-cached-state.json"
        if "tmp" in meta["tags"] or not state.is_file():
            continue  # incomplete: invisible to lookups, resumed later
        data = json.loads(state.read_text())
        produced = Path(data["new_env"]["XP_FILE"])
        assert produced.is_file() and produced.read_text().startswith("built"), path


@pytest.mark.slow
def test_kill_minus_nine_never_leaves_broken_entries(repo):
    rng = random.Random(1234)
    for trial in range(FAULT_TRIALS):
        tag = f"fault{trial}"
        args = ("--tags=xprobe,cached-file", f"--extra_cache_tags={tag}", "--sleep=0.3", "--quiet", "-j")
        victim = cm(*args, start_new_session=True)
        time.sleep(rng.uniform(0.0, 1.0))
        try:
            os.killpg(victim.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        victim.communicate(timeout=60)
        _check_no_broken_complete_entries(repo, tag)
        again = cm(*args)
        _out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert Path(result_json(err)["new_env"]["XP_FILE"]).is_file()
        found = entries_with(repo, tag)
        assert len(found) == 1, (trial, found)
        assert "tmp" not in found[0][1]["tags"]
        _check_no_broken_complete_entries(repo, tag)
