"""``cm run|rerun experiment``: the sweep loop.

Steps: resolve the command and its dimensions (every error before anything runs) -> find or
create the experiment and its run folder -> save ``cm-input.json`` -> loop { ask the strategy for a
batch, map it through the executor, record outcomes (locked append, step order), tell the strategy }.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from colmind.errors import CMError
from colmind.experiment import artifact as art_mod
from colmind.experiment import command as cmd_mod
from colmind.experiment import explore as exp_mod
from colmind.experiment import records
from colmind.experiment.model import K_KEY, StepOutcome, StepSpec, dims_of, is_success, step_key

LOCAL_VARS = ("CD", "CM_EXPERIMENT_STEP", "CM_EXPERIMENT_PATH", "CM_EXPERIMENT_PATH2", "CM_EXPERIMENT_PATH3")


@dataclass
class Sweep:
    """What a run resolved to, before any step ran."""

    template: str
    space: dict[str, list[Any]]
    env: dict[str, str]
    cwd: str
    artifact_path: str = ""
    run_dir: str = ""
    done: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> successful record


def run(i: dict[str, Any], rerun: bool = False) -> dict[str, Any]:
    from colmind.experiment.console import Console

    check_plugins(i)
    i, sweep = prepare_rerun(i) if rerun else prepare_run(i)
    records.save_input(sweep.run_dir, i)
    records.append_records(sweep.run_dir, [])  # the run folder is visible (to rerun, replay) from the start
    console = Console(i.get("out") == "con")
    console.start(sweep)
    outcomes = execute(sweep, i, console)
    return _result(sweep, outcomes)


def check_plugins(i: dict[str, Any]) -> None:
    """Unknown ``--executor``/``--explore_strategy`` names and a bad ``--jobs`` fail before anything exists."""
    from colmind.experiment.executors import EXECUTORS
    from colmind.experiment.strategies import STRATEGIES

    for key, table, what in (("executor", EXECUTORS, "experiment executor"), ("explore_strategy", STRATEGIES,
                                                                             "explore strategy")):
        name = str(i.get(key) or "")
        if name and name not in table:
            raise CMError(f"unknown {what} '{name}' (known: {', '.join(sorted(table))})")
    _int(i.get("jobs") or 1, "jobs")


def prepare_run(i: dict[str, Any]) -> tuple[dict[str, Any], Sweep]:
    """Command and dimensions first (errors before anything exists), then experiment and run folder."""
    sweep = resolve_sweep(i)
    sweep.artifact_path = art_mod.path_of(art_mod.find_or_add(i))
    sweep.run_dir = records.make_run_folder(sweep.artifact_path, str(i.get("dir") or ""))
    return i, sweep


def prepare_rerun(i: dict[str, Any]) -> tuple[dict[str, Any], Sweep]:
    """The run folder first (its saved command may be needed), then the sweep and what is done."""
    artifact_path = art_mod.path_of(art_mod.find_or_add(i))
    run_dir = pick_rerun_folder(artifact_path, str(i.get("dir") or ""))
    i = _with_saved_command(i, run_dir)
    sweep = resolve_sweep(i)
    sweep.artifact_path, sweep.run_dir = artifact_path, run_dir
    sweep.done = {str(r.get(K_KEY)): r for r in records.load_records(run_dir) if is_success(r) and r.get(K_KEY)}
    return i, sweep


def resolve_sweep(i: dict[str, Any]) -> Sweep:
    unparsed = i.get("unparsed_cmd") or i.get("command") or []
    if not unparsed:
        raise CMError("no command to run: give it after '--' (cm run experiment --tags=... -- echo hello)")
    template, inline = exp_mod.extract_inline(cmd_mod.join_command(unparsed))
    explore = i.get("explore") or {}
    if not isinstance(explore, dict):
        raise CMError(f"explore must be a mapping VAR -> values, not {type(explore).__name__}")
    space = exp_mod.build_space(exp_mod.merge_inline(explore, inline))
    env = {str(k): _env_text(v) for k, v in (i.get("env") or {}).items()}
    known = set(env) | set(space) | set(LOCAL_VARS)
    for name in cmd_mod.placeholders(template):
        if name not in known:
            raise CMError(f'key "{name}" is not in env during exploration')
    return Sweep(template=template, space=space, env=env, cwd=os.getcwd())


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def pick_rerun_folder(artifact_path: str, name: str) -> str:
    if name:
        return records.make_run_folder(artifact_path, name)
    found = records.run_folders(artifact_path)
    if not found:
        return records.make_run_folder(artifact_path)
    if len(found) > 1:
        names = ", ".join(os.path.basename(p) for p in found)
        raise CMError(f'more than 1 experiment found ({names}). Please use "cm rerun experiment --dir={{date and time}}"')
    return found[0]


def _with_saved_command(i: dict[str, Any], run_dir: str) -> dict[str, Any]:
    """``cm rerun experiment --tags=x`` without a command reuses the run folder's saved one."""
    if i.get("unparsed_cmd") or i.get("command"):
        return i
    saved = records.load_input(run_dir)
    merged = dict(i)
    for key in ("unparsed_cmd", "command", "explore", "env"):
        if key in saved and key not in i:
            merged[key] = saved[key]
    return merged


def make_spec(sweep: Sweep, index: int, dims: dict[str, Any], capture: bool) -> StepSpec:
    step_dir = os.path.join(sweep.run_dir, uuid.uuid4().hex[:16])
    env = dict(sweep.env)
    env.update({name: str(value) for name, value in dims.items()})  # CM: str() of each dimension value
    local = {"CD": sweep.cwd, "CM_EXPERIMENT_STEP": str(index), "CM_EXPERIMENT_PATH": sweep.artifact_path,
             "CM_EXPERIMENT_PATH2": sweep.run_dir, "CM_EXPERIMENT_PATH3": step_dir}
    command = cmd_mod.substitute(sweep.template, {**local, **env})
    return StepSpec(index=index, key=step_key(dims), dims=dict(dims), command=command, step_dir=step_dir,
                    env=env, capture=capture)


def execute(sweep: Sweep, i: dict[str, Any], console: Any) -> list[StepOutcome]:
    """The ask / map / record / tell loop."""
    from colmind.experiment.executors import make_executor
    from colmind.experiment.step import run_step
    from colmind.experiment.strategies import make_strategy

    jobs = _int(i.get("jobs") or 1, "jobs")
    strategy = make_strategy(str(i.get("explore_strategy") or "grid"), sweep.space, i)
    executor = make_executor(str(i.get("executor") or "local"), jobs, _executor_options(i))
    keep_going = _truthy(i.get("keep_going"))
    batch = int(getattr(strategy, "batch_size", 0) or jobs * 16)
    capture = jobs > 1 or str(i.get("executor") or "local") != "local"
    outcomes: list[StepOutcome] = []
    gate = Gate(run_step)
    for record in sweep.done.values():  # a resumed search learns from what already ran
        strategy.tell(dims_of(record), record)
    index = 0
    while True:
        wanted = strategy.ask(batch)
        if not wanted:
            break
        specs = []
        for dims in wanted:
            index += 1
            key = step_key(dims)
            if key in sweep.done:
                console.skipped(index, dims)
                strategy.tell(dims, sweep.done[key])
                continue
            specs.append(make_spec(sweep, index, dims, capture))
        recorder = OrderedRecorder(sweep.run_dir, [s.index for s in specs], console)
        for outcome in executor.map(specs, gate):
            for done in recorder.add(outcome):
                outcomes.append(done)
                strategy.tell(done.spec.dims, done.to_record())
                if not done.ok and not keep_going:
                    gate.stopped = True  # steps not started yet are not run (nor recorded)
        if gate.stopped:
            break
    return outcomes


EXECUTOR_INPUTS = ("scheduler", "collect")  # --executor=dask --scheduler=tcp://HOST:PORT --collect=PATTERN


def _executor_options(i: dict[str, Any]) -> dict[str, Any]:
    value = i.get("executor_options") or {}
    options = dict(value) if isinstance(value, dict) else {}
    options.update({k: i[k] for k in EXECUTOR_INPUTS if i.get(k) not in (None, "")})
    return options


def _int(value: Any, name: str) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        raise CMError(f"--{name} must be a number, not {value!r}") from None


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("yes", "on", "true", "1")


NOT_RUN = "not run: an earlier step failed (--keep_going runs every step)"


class Gate:
    """``run_one`` that stops starting steps once ``stopped`` is set (a step already running ends
    normally and is recorded)."""

    def __init__(self, run_one: Any) -> None:
        self.run_one = run_one
        self.stopped = False

    def __call__(self, spec: StepSpec) -> StepOutcome:
        if self.stopped:
            return StepOutcome(spec=spec, rc=-1, started="", duration_s=0.0, host="", error=NOT_RUN)
        return self.run_one(spec)  # type: ignore[no-any-return]


class OrderedRecorder:
    """Collects outcomes that arrive in any order and appends them to ``cm-result.json`` in step
    order, as soon as every earlier step of the batch is in."""

    def __init__(self, run_dir: str, order: list[int], console: Any) -> None:
        self.run_dir = run_dir
        self.order = sorted(order)
        self.waiting: dict[int, StepOutcome] = {}
        self.console = console

    def add(self, outcome: StepOutcome) -> list[StepOutcome]:
        self.waiting[outcome.spec.index] = outcome
        ready = []
        while self.order and self.order[0] in self.waiting:
            head = self.waiting.pop(self.order.pop(0))
            if head.error != NOT_RUN:
                ready.append(head)
        if ready:
            records.append_records(self.run_dir, [o.to_record() for o in ready])
            for done in ready:
                self.console.recorded(done)
        return ready


def _result(sweep: Sweep, outcomes: list[StepOutcome]) -> dict[str, Any]:
    failed = [o for o in outcomes if not o.ok]
    out: dict[str, Any] = {"experiment_path": sweep.artifact_path, "experiment_path2": sweep.run_dir,
           "steps": len(outcomes), "skipped": len(sweep.done), "failed": len(failed)}
    if failed:
        first = failed[0]
        raise CMError(f"{len(failed)} of {len(outcomes)} experiment steps failed (first: step "
                      f"{first.spec.index}, uid {first.spec.uid}: {first.error}); records are in "
                      f"{os.path.join(sweep.run_dir, records.RESULT_FILE)}", **out)
    return {"return": 0, **out}
