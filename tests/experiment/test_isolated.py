"""``run_isolated``: a step function in its own process (forked or a new interpreter)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from colmind.experiment.isolated import run_isolated
from colmind.experiment.model import StepSpec, step_key
from colmind.experiment.step import run_step


def _spec(tmp_path: Path, command: str) -> StepSpec:
    return StepSpec(index=1, key=step_key({}), dims={}, command=command, step_dir=str(tmp_path / "s"),
                    env={"V": "7"}, capture=True)


def _raises(spec: Any) -> Any:
    raise ValueError("broken runner")


def _dies(spec: Any) -> Any:
    os.kill(os.getpid(), 9)


@pytest.fixture(params=["fork", "spawn"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLMIND_DASK_STEP_START", request.param)
    return str(request.param)


def test_the_outcome_comes_back_from_another_process(tmp_path: Path, start: str) -> None:
    command = 'echo "{\\"v\\": $V, \\"pid\\": $$, \\"worker\\": $COLMIND_DASK_WORKER_PID, \\"a\\": \\"$A\\"}" > cm-output.json'
    outcome, error = run_isolated(run_step, _spec(tmp_path, command), {"A": "x"})
    assert error == "" and outcome.ok
    assert outcome.output["v"] == 7 and outcome.output["a"] == "x"
    assert outcome.output["worker"] == os.getpid() and outcome.output["pid"] != os.getpid()
    assert "A" not in os.environ  # the child's environment, not ours


def test_a_raising_runner_is_an_error(tmp_path: Path, start: str) -> None:
    outcome, error = run_isolated(int, _spec(tmp_path, "true"))  # a builtin: importable in a new interpreter
    assert outcome is None and "the step runner raised TypeError" in error


def test_forked_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLMIND_DASK_STEP_START", "fork")
    outcome, error = run_isolated(_raises, _spec(tmp_path, "true"))
    assert outcome is None and "ValueError: broken runner" in error
    outcome, error = run_isolated(_dies, _spec(tmp_path, "true"))
    assert outcome is None and "signal 9" in error
