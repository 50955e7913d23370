"""``--executor=dask``: a LocalCluster run equals the local run record for record; a worker killed
mid-step (a real SIGKILL) is retried once, then recorded as failed; a lost or unreachable scheduler
is a clear error naming it; ``--collect`` brings small files back from workers' own folders."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from colmind.errors import CMError
from colmind.experiment.model import StepSpec, step_key
from colmind.testing import cli_ok

distributed = pytest.importorskip("distributed", reason="needs the distributed extra (colmind[distributed])")

pytestmark = pytest.mark.slow
VOLATILE = ("uid", "iso_datetime", "colmind_duration_s")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two single-threaded worker processes under nannies (a killed worker is restarted)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=50) as local:
        yield local


def spec(run_dir: Path, index: int, command: str) -> StepSpec:
    dims = {"i": index}
    return StepSpec(index=index, key=step_key(dims), dims=dims, command=command,
                    step_dir=str(run_dir / f"step{index:02d}"), env={"I": str(index)}, capture=True)


def ok_command(value: str = "$I") -> str:
    return f"echo '{{\"v\": '{value}'}}' > cm-output.json"


def run_steps(address: str, specs: list[StepSpec], **options: Any) -> list[Any]:
    from colmind.experiment.dask_executor import DaskExecutor
    from colmind.experiment.step import run_step

    return list(DaskExecutor(scheduler=address, **options).map(specs, run_step))


class Killer(threading.Thread):
    """Kills (SIGKILL) the worker named in each ``victim-*`` file a step writes: 'PID BASHPID'."""

    def __init__(self, folder: Path) -> None:
        super().__init__(daemon=True)
        self.folder, self.stop, self.killed = folder, threading.Event(), []  # type: ignore[var-annotated]

    def run(self) -> None:
        seen: set[str] = set()
        while not self.stop.wait(0.05):
            for victim in sorted(self.folder.glob("victim-*")):
                text = victim.read_text().split()
                if victim.name in seen or len(text) < 2:
                    continue
                seen.add(victim.name)
                worker, step_shell = int(text[0]), int(text[1])
                os.kill(worker, signal.SIGKILL)
                self.killed.append((worker, step_shell))


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_local_cluster_run_equals_the_local_run_record_for_record(cli: Any) -> None:
    command = 'echo "{\\"sq\\": $((X*X)), \\"tag\\": \\"$T\\", \\"nested\\": {\\"x\\": $X}}" > cm-output.json'
    explore = ["--explore.X=list(range(1, 9))", "--explore.T=['a', 'b']"]
    cli_ok(cli, "run", "experiment", "local", *explore, "--jobs=2", "--", command)
    cli_ok(cli, "run", "experiment", "dask", *explore, "--executor=dask", "--jobs=2", "--", command)
    local, dask = _records(cli, "local"), _records(cli, "dask")
    assert len(local) == 16
    assert [_stable(r) for r in dask] == [_stable(r) for r in local]
    assert all(r["colmind_host"] == socket.gethostname() for r in dask)
    assert len({r["uid"] for r in dask}) == 16


def _records(cli: Any, name: str) -> list[dict[str, Any]]:
    folder = cli_ok(cli, "find", "experiment", name).stdout.split()[0]
    (run,) = [d for d in os.listdir(folder) if os.path.isfile(os.path.join(folder, d, "cm-result.json"))]
    return json.load(open(os.path.join(folder, run, "cm-result.json")))  # type: ignore[no-any-return]


def _stable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in VOLATILE}


def test_a_killed_worker_is_retried_once(cluster: Any, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    victim = ('if [ "$COLMIND_DASK_ATTEMPT" = 1 ]; then echo "$COLMIND_DASK_WORKER_PID $$" > ../victim-$I; '
              'sleep 60; fi; ' + ok_command())
    specs = [spec(run_dir, 1, victim)] + [spec(run_dir, i, ok_command()) for i in range(2, 5)]
    killer = Killer(run_dir)
    killer.start()
    try:
        outcomes = run_steps(cluster.scheduler_address, specs)
    finally:
        killer.stop.set()
    assert len(killer.killed) == 1
    assert sorted(o.spec.index for o in outcomes) == [1, 2, 3, 4]  # nothing lost, nothing twice
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    first = next(o for o in outcomes if o.spec.index == 1)
    assert first.to_record()["colmind_attempts"] == 2
    assert first.output["v"] == 1
    assert _gone(killer.killed[0][1]), "the step of the killed worker kept running"


def test_a_step_whose_worker_dies_twice_is_recorded_failed(cluster: Any, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    victim = 'echo "$COLMIND_DASK_WORKER_PID $$" > ../victim-$I-$COLMIND_DASK_ATTEMPT; sleep 60'
    specs = [spec(run_dir, 1, ok_command()), spec(run_dir, 2, victim), spec(run_dir, 3, ok_command())]
    killer = Killer(run_dir)
    killer.start()
    try:
        outcomes = run_steps(cluster.scheduler_address, specs)
    finally:
        killer.stop.set()
    assert len(killer.killed) == 2
    assert sorted(o.spec.index for o in outcomes) == [1, 2, 3]
    dead = next(o for o in outcomes if o.spec.index == 2)
    assert not dead.ok and "died 2 times" in str(dead.error)
    record = dead.to_record()
    assert record["colmind_status"] == "failed" and record["colmind_attempts"] == 2
    assert all(o.ok for o in outcomes if o.spec.index != 2)
    assert all(_gone(shell) for _, shell in killer.killed)


def test_collect_returns_small_files_from_a_worker_folder(cluster: Any, tmp_path: Path) -> None:
    """With COLMIND_DASK_WORKER_DIR (as on a worker without the shared file system) the step runs in
    the worker's folder; --collect brings back the small matching files, the rest is located."""
    worker_dir = str(tmp_path / "worker-scratch")

    def set_worker_dir(value: str | None) -> None:
        if value is None:
            os.environ.pop("COLMIND_DASK_WORKER_DIR", None)
        else:
            os.environ["COLMIND_DASK_WORKER_DIR"] = value

    client = distributed.Client(cluster)
    client.wait_for_workers(2, timeout=60)  # a worker killed by an earlier test is back
    client.run(set_worker_dir, worker_dir)
    try:
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        command = ("echo small > notes.txt; head -c 2000000 /dev/zero > big.bin; echo x > other.log; "
                   + ok_command())
        (outcome,) = run_steps(cluster.scheduler_address, [spec(run_dir, 1, command)],
                               collect="*.txt,*.bin,cm-output.json")
    finally:
        client.run(set_worker_dir, None)
        client.close()
    record = outcome.to_record()
    assert outcome.ok and record["v"] == 1
    step = run_dir / "step01"
    assert (step / "notes.txt").read_text() == "small\n"
    assert json.loads((step / "cm-output.json").read_text()) == {"v": 1}
    assert not (step / "big.bin").exists() and not (step / "other.log").exists()
    assert record["colmind_collected"] == ["cm-output.json", "notes.txt"]
    assert record["colmind_left_on_worker"] == ["big.bin"]
    host, _, where = record["colmind_worker_dir"].partition(":")
    assert host == socket.gethostname() and os.path.isfile(os.path.join(where, "big.bin"))


def test_an_unreachable_scheduler_is_named(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(CMError, match=f"cannot reach the Dask scheduler at {address}"):
        run_steps(address, [spec(tmp_path, 1, ok_command())], connect_timeout=2)


def test_scheduler_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from colmind.experiment.dask_executor import DaskExecutor

    monkeypatch.setenv("COLMIND_DASK_SCHEDULER", "tcp://10.0.0.9:8786")
    assert DaskExecutor().address == "tcp://10.0.0.9:8786"
    assert DaskExecutor(scheduler="tcp://h:1").address == "tcp://h:1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _dask_command() -> list[str]:
    found = shutil.which("dask", path=os.path.dirname(sys.executable))
    return [found] if found else [sys.executable, "-m", "distributed.cli.dask_scheduler"]


def test_a_lost_scheduler_is_a_clear_error_and_recorded_steps_stay(tmp_path: Path) -> None:
    """A scheduler and a worker started by hand (real processes); the scheduler is killed after the
    first step: the error names it, the first outcome was delivered, nothing else is."""
    dask = shutil.which("dask", path=os.path.dirname(sys.executable))
    if dask is None:
        pytest.skip("the dask command line is not installed next to this Python")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], env=env, **quiet)  # type: ignore[call-overload]
    worker = subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-dashboard"],
                              env=env, **quiet)  # type: ignore[call-overload]
    delivered = []
    try:
        from colmind.experiment.dask_executor import DaskExecutor
        from colmind.experiment.step import run_step

        run_dir = tmp_path / "run"
        run_dir.mkdir()
        specs = [spec(run_dir, i, "sleep 1; " + ok_command()) for i in range(1, 5)]
        with pytest.raises(CMError, match=f"lost the Dask scheduler {address}"):
            for outcome in DaskExecutor(scheduler=address, connect_timeout=30).map(specs, run_step):
                delivered.append(outcome)
                scheduler.kill()
    finally:
        for proc in (worker, scheduler):
            proc.kill()
            proc.wait()
    assert [o.spec.index for o in delivered] == [1] and delivered[0].ok


def test_a_failed_step_stops_the_sweep_as_with_local_jobs(cli: Any) -> None:
    """Without --keep_going, a failure stops the sweep: steps not started yet are neither run nor
    recorded (the runner's gate is consulted on the client)."""
    command = ('if [ "$X" = 2 ]; then sleep 1; exit 3; fi; if [ "$X" -ge 3 ]; then sleep 4; fi; '
               'echo "{\\"x\\": $X}" > cm-output.json')
    res = cli("run", "experiment", "stops", "--explore.X=list(range(1, 9))", "--executor=dask", "--jobs=2",
              "--", command)
    assert res.code == 1 and "failed" in res.stderr
    records = _records(cli, "stops")
    # 1 and 2 start together; 3 starts when 1 ends and runs when 2 fails: it ends and is recorded;
    # 4 may have started on the freed worker before the client heard of the failure (as with
    # --jobs): then it ends and is recorded too; 5-8 (each waiting 4 s behind 3 or 4) never run
    xs = [r["colmind_dims.X"] for r in records]
    assert xs[:3] == [1, 2, 3] and set(xs) <= {1, 2, 3, 4}
    assert records[1]["colmind_status"] == "failed" and records[1]["colmind_return_code"] == 3


def test_cli_sweep_on_a_cluster_started_by_hand_survives_a_killed_worker(cli: Any, tmp_path: Path) -> None:
    """`dask scheduler` + two `dask worker` processes; `cm run experiment --executor=dask
    --scheduler=...`; the worker running step X=3 is killed (SIGKILL) mid-step."""
    dask = shutil.which("dask", path=os.path.dirname(sys.executable))
    if dask is None:
        pytest.skip("the dask command line is not installed next to this Python")
    address = f"tcp://127.0.0.1:{_free_port()}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                               "--no-dashboard"], env=env, **quiet)]  # type: ignore[call-overload]
    procs += [subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-dashboard"], env=env, **quiet)
              for _ in range(2)]  # type: ignore[call-overload]
    marks = tmp_path / "marks"
    marks.mkdir()
    killer = Killer(marks)
    killer.start()
    command = (f'if [ "$X" = 3 ] && [ "$COLMIND_DASK_ATTEMPT" = 1 ]; then echo "$COLMIND_DASK_WORKER_PID $$" '
               f'> {marks}/victim-3; sleep 60; fi; echo "{{\\"sq\\": $((X*X))}}" > cm-output.json')
    try:
        cli_ok(cli, "run", "experiment", "byhand", "--explore.X=list(range(1, 7))", "--executor=dask",
               f"--scheduler={address}", "--executor_options.connect_timeout=60", "--", command)
    finally:
        killer.stop.set()
        for proc in reversed(procs):
            proc.kill()
            proc.wait()
    assert len(killer.killed) == 1
    records = _records(cli, "byhand")
    assert [r["colmind_dims.X"] for r in records] == [1, 2, 3, 4, 5, 6]
    assert all(r["colmind_status"] == "ok" and r["sq"] == r["colmind_dims.X"] ** 2 for r in records)
    assert [r.get("colmind_attempts") for r in records] == [None, None, 2, None, None, None]
