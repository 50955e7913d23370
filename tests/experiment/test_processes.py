"""Real processes: a sweep killed with SIGKILL half-way resumes with ``cm rerun experiment`` and ends
with every step recorded once; two experiments appending to one run folder lose nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from colmind.testing import cli_ok
from tests.experiment.helpers import experiments, only_run, records, run_dirs

STEPS = 12


def _cm(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "colmind", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True, **kw)


def _wait_records(home: Path, at_least: int, timeout: float = 60.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        arts = experiments(home)
        runs = run_dirs(arts[0]) if arts else []
        if runs:
            try:
                recs = records(runs[0])
            except ValueError:  # never: writes are atomic
                raise
            if len(recs) >= at_least:
                return recs
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} records after {timeout} s")


def test_killed_sweep_resumes_with_rerun(cli, cm_home):
    proc = _cm("run", "experiment", "--tags=killme", f"--explore.N=range({STEPS})", "--", "sleep 0.3")
    try:
        before = _wait_records(cm_home, 4)
        os.killpg(proc.pid, signal.SIGKILL)  # the cm process and the step it is running
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    run = only_run(cm_home)
    killed = records(run)
    assert 4 <= len(killed) < STEPS and killed[: len(before)] == before
    cli_ok(cli, "rerun", "experiment", "--tags=killme")  # the saved command and sweep are reused
    done = records(run)
    assert done[: len(killed)] == killed
    assert sorted(r["colmind_dims.N"] for r in done) == list(range(STEPS))  # every step once
    assert len({r["colmind_key"] for r in done}) == STEPS
    assert all(r["colmind_status"] == "ok" for r in done)
    # nothing left to do: a second rerun runs nothing
    cli_ok(cli, "rerun", "experiment", "--tags=killme")
    assert records(run) == done


def test_rerun_reruns_failed_steps_only(cli, cm_home, tmp_path):
    flag = tmp_path / "fixed"
    cmd = f"test {{{{N}}}} != 2 || test -e {flag}"
    res = cli("run", "experiment", "--tags=flaky", "--keep_going", "--explore.N=[1,2,3]", "--", cmd)
    assert res.code == 1
    flag.write_text("")
    cli_ok(cli, "rerun", "experiment", "--tags=flaky")
    recs = records(only_run(cm_home))
    assert [(r["colmind_dims.N"], r["colmind_status"]) for r in recs] == \
        [(1, "ok"), (2, "failed"), (3, "ok"), (2, "ok")]


def test_two_experiments_append_to_one_run_folder(cli, cm_home):
    n = 60
    procs = [_cm("run", "experiment", "--tags=shared", "--dir=together", f"--explore.N=range({k * 100}, {k * 100 + n})",
                 "--", "true") for k in (1, 2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    (art,) = experiments(cm_home)  # created once although both started together
    recs = records(art / "together")
    assert len(recs) == 2 * n
    assert sorted(r["colmind_dims.N"] for r in recs) == list(range(100, 100 + n)) + list(range(200, 200 + n))
    assert len({r["uid"] for r in recs}) == 2 * n
    assert not [p for p in (art / "together").iterdir() if p.name.endswith(".tmp")]
    assert json.loads((art / "together" / "cm-input.json").read_text())["dir"] == "together"
