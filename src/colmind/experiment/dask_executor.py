"""``--executor=dask``: experiment steps on a Dask distributed cluster.

The client (this process, where the runner records) submits one task per step. On a worker the
task runs the step in a child process of its own (:mod:`colmind.experiment.isolated`), in the step
folder when the run folder is visible there (one shared file system), else in a folder under the
worker's ``COLMIND_DASK_WORKER_DIR`` (default: its temporary folder); then it returns the outcome,
plus the small files matching ``--collect`` patterns. A worker that dies mid-step is retried once
(the scheduler's ``allowed_failures`` is set to 0 so that the client decides), then recorded as
failed. Losing the scheduler is an error naming it; what was recorded before stays recorded.

Scheduler: ``--scheduler=tcp://HOST:PORT``, else ``COLMIND_DASK_SCHEDULER``, else a ``LocalCluster``
on this machine (single-threaded worker processes: ``--executor_options.workers=N``, else ``--jobs=N``
when N > 1, else one per core).
Dask is imported only here (never on the ``cm`` start-up path).
"""

from __future__ import annotations

import fnmatch
import os
import socket
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from colmind.errors import CMError
from colmind.experiment.isolated import run_isolated
from colmind.experiment.model import StepOutcome, StepSpec

SCHEDULER_ENV = "COLMIND_DASK_SCHEDULER"
WORKER_DIR_ENV = "COLMIND_DASK_WORKER_DIR"
COLLECT_FILE_MAX = 1 << 20  # bytes: a file bigger than this stays on the worker
COLLECT_TOTAL_MAX = 32 << 20  # bytes returned per step at most
CONNECT_TIMEOUT_S = 20
RETRIES = 1  # a step whose worker died while running it is run once more
REQUEUES = 10  # times a step only waiting on a dying worker is sent again (not an attempt)
STARTED_TOPIC = "colmind-step-started"  # worker event: this task (key) started its step
K_ATTEMPTS = "colmind_attempts"
K_WORKER_DIR = "colmind_worker_dir"
K_COLLECTED = "colmind_collected"
K_LEFT = "colmind_left_on_worker"


# -- on the worker ---------------------------------------------------------------------------
@dataclass
class WorkerResult:
    """What a worker sends back for one step."""

    outcome: StepOutcome | None
    error: str
    host: str
    worker_dir: str  # where the step ran, when that is not the client's step folder
    files: dict[str, bytes] = field(default_factory=dict)  # collected: relative path -> content
    left: list[str] = field(default_factory=list)  # matched but too big: left on the worker


def run_on_worker(run_one: Callable[[StepSpec], StepOutcome], spec: StepSpec, collect: list[str],
                  attempt: int) -> WorkerResult:
    """The Dask task of one step (module-level: workers import it by name)."""
    _announce_start()
    local = worker_step_dir(spec)
    run_spec = spec if local is None else replace(spec, step_dir=local)
    outcome, error = run_isolated(run_one, run_spec, {"COLMIND_DASK_ATTEMPT": str(attempt)})
    result = WorkerResult(outcome, error, socket.gethostname(), local or "")
    if local is not None and collect:
        result.files, result.left = collect_files(local, collect)
    return result


def _announce_start() -> None:
    """Tell the scheduler this task really started (a dying worker also fails tasks only queued on it)."""
    from distributed import get_worker

    worker = get_worker()
    worker.log_event(STARTED_TOPIC, {"key": str(worker.get_current_task())})


def worker_step_dir(spec: StepSpec) -> str | None:
    """None when the step can run in its own folder (the run folder is visible here), else a
    folder of this worker for it."""
    base = os.environ.get(WORKER_DIR_ENV, "")
    run_dir = os.path.dirname(spec.step_dir.rstrip("/\\"))
    if not base and os.path.isdir(run_dir):
        return None
    root = base or os.path.join(tempfile.gettempdir(), "colmind-dask")
    return os.path.join(root, os.path.basename(run_dir), spec.uid)


def collect_files(folder: str, patterns: list[str]) -> tuple[dict[str, bytes], list[str]]:
    """Files under ``folder`` matching a pattern (relative path or base name), small ones read."""
    files: dict[str, bytes] = {}
    left: list[str] = []
    total = 0
    for rel in sorted(_walk(folder)):
        if not any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(os.path.basename(rel), p) for p in patterns):
            continue
        size = os.path.getsize(os.path.join(folder, rel))
        if size > COLLECT_FILE_MAX or total + size > COLLECT_TOTAL_MAX:
            left.append(rel)
            continue
        with open(os.path.join(folder, rel), "rb") as handle:
            files[rel] = handle.read()
        total += size
    return files, left


def _walk(folder: str) -> Iterator[str]:
    for top, _dirs, names in os.walk(folder):
        for name in names:
            yield os.path.relpath(os.path.join(top, name), folder)


# -- on the client ---------------------------------------------------------------------------
def scheduler_address(scheduler: str | None) -> str:
    """``--scheduler``, else ``COLMIND_DASK_SCHEDULER``, else '' (a LocalCluster)."""
    value = scheduler if isinstance(scheduler, str) else ""
    return value.strip() or os.environ.get(SCHEDULER_ENV, "").strip()


def collect_patterns(collect: Any) -> list[str]:
    if not collect or collect is True:
        return []
    items = collect if isinstance(collect, (list, tuple)) else str(collect).split(",")
    return [str(p).strip() for p in items if str(p).strip()]


class DaskExecutor:
    """Runs steps as Dask tasks; yields outcomes as they finish (the runner records them)."""

    def __init__(self, jobs: int = 1, scheduler: str | None = None, collect: Any = None,
                 connect_timeout: float = CONNECT_TIMEOUT_S, workers: int | str | None = None,
                 **_options: Any) -> None:
        self.jobs = max(1, int(jobs or 1))
        # LocalCluster size: --executor_options.workers=N, else --jobs=N (N > 1), else one per core
        self.workers = int(workers) if workers else (self.jobs if self.jobs > 1 else (os.cpu_count() or 1))
        self.connect_timeout = float(connect_timeout)
        self.address = scheduler_address(scheduler)
        self.collect = collect_patterns(collect)

    def map(self, steps: Sequence[StepSpec], run_one: Callable[[StepSpec], StepOutcome]) -> Iterator[StepOutcome]:
        if not steps:
            return
        client, cluster = self._connect()
        try:
            yield from self._run(client, list(steps), run_one)
        finally:
            _close(client, cluster)

    def _connect(self) -> tuple[Any, Any]:
        import dask
        from distributed import Client, LocalCluster

        if not self.address:
            # no task waits on a busy worker while another is idle (long steps), the client retries
            with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                                  "distributed.scheduler.worker-saturation": 1.0}):
                cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
            return Client(cluster), cluster
        try:
            client = Client(self.address, timeout=self.connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise CMError(f"cannot reach the Dask scheduler at {self.address}: {exc}",
                          hint=f"start one with `dask scheduler`, or fix --scheduler / ${SCHEDULER_ENV}") from None
        client.run_on_scheduler(_no_scheduler_retries())
        return client, None

    def _run(self, client: Any, steps: list[StepSpec], run_one: Callable[[StepSpec], StepOutcome]) -> Iterator[StepOutcome]:
        from distributed import as_completed

        where = self.address or "the local Dask cluster"
        tasks: dict[Any, Task] = {}
        queue = as_completed()
        remote = _unwrapped(run_one)
        for spec in steps:
            task = Task(spec)
            future = self._submit(client, remote, task)
            tasks[future] = task
            queue.add(future)
        for future in queue:
            task = tasks.pop(future)
            outcome, again = self._settle(client, future, task, where)
            if again:
                retry = self._submit(client, remote, task)
                tasks[retry] = task
                queue.add(retry)
                continue
            assert outcome is not None
            yield outcome
            if getattr(run_one, "stopped", False):  # the runner stops after a failed step
                yield from self._stop(client, tasks, run_one, where)
                return

    def _stop(self, client: Any, tasks: dict[Any, Task], gate: Callable[[StepSpec], StepOutcome],
              where: str) -> Iterator[StepOutcome]:
        """As the local executor: steps already running end and are recorded; the others are
        cancelled and the gate answers them as not run."""
        running = []
        for future, task in list(tasks.items()):  # first cancel everything that has not started
            if _started(client, future.key):
                running.append((future, task))
            else:
                future.cancel()
                yield gate(task.spec)
        for future, task in running:
            outcome, again = self._settle(client, future, task, where)
            yield outcome if outcome is not None and not again else gate(task.spec)

    def _submit(self, client: Any, run_one: Callable[[StepSpec], StepOutcome], task: Task) -> Any:
        task.sent += 1
        key = f"colmind-step-{task.spec.index}-{task.spec.uid}-{task.attempt}-{task.sent}"
        return client.submit(run_on_worker, run_one, task.spec, self.collect, task.attempt, key=key, pure=False)

    def _settle(self, client: Any, future: Any, task: Task, where: str) -> tuple[StepOutcome | None, bool]:
        """(outcome, False), or (None, True) when the step is to be sent again."""
        from distributed import KilledWorker

        spec, attempt = task.spec, task.attempt
        try:
            result = future.result()
        except KilledWorker as exc:
            if not _started(client, future.key) and task.sent < REQUEUES:
                return None, True  # it only waited on the worker that died: not an attempt
            if attempt <= RETRIES:
                task.attempt += 1
                return None, True
            return failed(spec, f"the Dask worker running this step died {attempt} times ({exc})", attempt), False
        except Exception as exc:  # noqa: BLE001 - the scheduler, or the task itself
            if _lost_scheduler(future, exc):
                raise CMError(f"lost the Dask scheduler {where} while step {spec.index} was running: "
                              f"{type(exc).__name__}: {exc}",
                              hint="the steps recorded so far are kept; `cm rerun experiment` resumes") from None
            return failed(spec, f"the Dask task failed: {type(exc).__name__}: {exc}", attempt), False
        return finish(spec, result, attempt), False


def _unwrapped(run_one: Callable[[StepSpec], StepOutcome]) -> Callable[[StepSpec], StepOutcome]:
    """What workers run: the runner's stop gate (``stopped`` + ``run_one``) stays on the client,
    where it is consulted (see ``DaskExecutor._stop``); workers then need not import the runner."""
    inner = getattr(run_one, "run_one", None)
    return inner if inner is not None and hasattr(run_one, "stopped") else run_one


@dataclass
class Task:
    """A step on its way through the cluster: its attempt (1, then 2 after a worker died while
    running it) and how many times it was sent."""

    spec: StepSpec
    attempt: int = 1
    sent: int = 0


def _started(client: Any, key: Any) -> bool:
    """Whether a worker announced it started the task ``key``."""
    try:
        events = client.get_events(STARTED_TOPIC)
    except Exception:  # noqa: BLE001 - no answer: count it as started (the safe side)
        return True
    return any(isinstance(e, dict) and e.get("key") == str(key) for _, e in events)


def _lost_scheduler(future: Any, exc: BaseException) -> bool:
    """Whether ``exc`` says the cluster is gone rather than that the task itself raised (a task's
    own exception, even an OSError, leaves its future in the 'error' state)."""
    import asyncio
    import concurrent.futures

    if getattr(future, "status", "") == "error":
        return False
    cancelled = (asyncio.CancelledError, concurrent.futures.CancelledError)  # scheduler-connection-lost
    if isinstance(exc, (OSError, TimeoutError, *cancelled)):  # CommClosedError is an OSError
        return True
    client = getattr(future, "client", None)
    return getattr(client, "status", "running") not in ("running", "connecting")


def finish(spec: StepSpec, result: WorkerResult, attempt: int) -> StepOutcome:
    """The worker's outcome with the client's spec, collected files written into the step folder."""
    if result.outcome is None:
        return failed(spec, result.error, attempt, result.host)
    outcome = replace(result.outcome, spec=spec)
    extra: dict[str, Any] = {}
    if attempt > 1:
        extra[K_ATTEMPTS] = attempt
    if result.worker_dir:
        extra[K_WORKER_DIR] = f"{result.host}:{result.worker_dir}"
        _write_collected(spec.step_dir, result.files)
        if result.files:
            extra[K_COLLECTED] = sorted(result.files)
        if result.left:
            extra[K_LEFT] = result.left
    outcome.output = {**outcome.output, **extra}
    return outcome


def _write_collected(step_dir: str, files: dict[str, bytes]) -> None:
    from colmind.store import atomic

    root = os.path.realpath(step_dir)
    for rel, data in files.items():
        path = os.path.realpath(os.path.join(root, rel))
        if os.path.commonpath([root, path]) != root:
            continue  # never outside the step folder
        atomic.write_bytes(path, data, durable=False)


def failed(spec: StepSpec, error: str, attempt: int, host: str = "") -> StepOutcome:
    output: dict[str, Any] = {K_ATTEMPTS: attempt} if attempt > 1 else {}
    return StepOutcome(spec=spec, rc=1, started=datetime.now().isoformat(), duration_s=0.0,
                       host=host, output=output, error=error)


def _no_scheduler_retries() -> Callable[..., None]:
    """A function run on the scheduler (a closure: sent by value, no colmind needed there)."""

    def set_allowed_failures(dask_scheduler: Any = None) -> None:
        dask_scheduler.allowed_failures = 0

    return set_allowed_failures


def _close(client: Any, cluster: Any) -> None:
    import contextlib

    with contextlib.suppress(Exception):
        client.close(timeout=10)
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close(timeout=10)
