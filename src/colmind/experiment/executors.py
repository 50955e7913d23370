"""Where steps run: the ``Executor`` protocol, the local pool and the name table of ``--executor``.

An executor maps steps through ``run_one`` and yields outcomes as steps finish, in any order; the
runner, on the client, is the single writer that records them (in step order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from colmind.errors import CMError
from colmind.experiment.model import StepOutcome, StepSpec


class Executor(Protocol):
    def map(self, steps: Sequence[StepSpec], run_one: Callable[[StepSpec], StepOutcome]) -> Iterator[StepOutcome]:
        """Run every step with ``run_one``; yield each outcome as its step finishes."""
        ...


class LocalExecutor:
    """``--jobs N``: N steps at a time on this machine, each in its own process (``run_step``
    starts a subprocess; N threads wait for them)."""

    def __init__(self, jobs: int = 1, **_options: Any) -> None:
        self.jobs = max(1, int(jobs))

    def map(self, steps: Sequence[StepSpec], run_one: Callable[[StepSpec], StepOutcome]) -> Iterator[StepOutcome]:
        if self.jobs == 1 or len(steps) <= 1:
            for spec in steps:
                yield run_one(spec)
            return
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        pending = list(steps)
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            running = {pool.submit(run_one, pending.pop(0)) for _ in range(min(self.jobs, len(pending)))}
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    if pending:
                        running.add(pool.submit(run_one, pending.pop(0)))
                    yield future.result()


# --executor=NAME -> a class or "module:Class" (loaded when named)
EXECUTORS: dict[str, Any] = {
    "local": LocalExecutor,
    "dask": "colmind.experiment.dask_executor:DaskExecutor",
}


def make_executor(name: str, jobs: int = 1, options: dict[str, Any] | None = None) -> Executor:
    """The executor called ``name`` (``EXECUTORS``), built with ``jobs`` and the command's inputs."""
    target = EXECUTORS.get(name or "local")
    if target is None:
        raise CMError(f"unknown experiment executor '{name}' (known: {', '.join(sorted(EXECUTORS))})")
    cls = load_named(target, f"executor '{name}'")
    return cls(jobs=jobs, **(options or {}))  # type: ignore[no-any-return]


def load_named(target: Any, what: str) -> Any:
    """A class given directly or as ``module:Class``; a missing module is a clear CMError."""
    if not isinstance(target, str):
        return target
    from importlib import import_module

    module_name, _, class_name = target.partition(":")
    try:
        module = import_module(module_name)
    except ImportError as exc:
        raise CMError(f"the experiment {what} needs module {module_name}, which could not be imported: {exc}",
                      hint="install the extra it belongs to (pip install 'colmind[distributed]' or "
                           "'colmind[tune]')") from None
    cls = getattr(module, class_name, None)
    if cls is None:
        raise CMError(f"the experiment {what}: module {module_name} has no {class_name}")
    return cls
