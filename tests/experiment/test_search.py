"""Search strategies: seeded random and Optuna are reproducible, respect the budget, never repeat a
point, resume from records and honour constraints; end to end through ``cm run experiment``."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from colmind.experiment.search import OptunaStrategy, RandomStrategy, StrategyError, decode, grid_size
from colmind.testing import cli_ok

SPACE = {"x": list(range(-5, 6)), "y": list(range(-5, 6)), "mode": ["a", "b"]}


def drive(strategy: Any, f: Any, batch: int = 1) -> list[dict[str, Any]]:
    """Run a strategy to the end on a synthetic function; the points in the order asked."""
    asked: list[dict[str, Any]] = []
    while True:
        points = strategy.ask(batch)
        if not points:
            return asked
        asked += points
        for p in points:
            strategy.tell(p, f(p))


def bowl(p: dict[str, Any]) -> dict[str, Any]:
    """Best at x=2, y=-1, mode=b (value 0); 'slow' grows with |x|."""
    return {"f": -((p["x"] - 2) ** 2) - (p["y"] + 1) ** 2 - (0 if p["mode"] == "b" else 3),
            "slow": abs(p["x"]) + (p["y"] + 5) / 10, "colmind_status": "ok"}


def test_decode_covers_the_grid_in_order() -> None:
    space = {"a": [1, 2], "b": ["x", "y", "z"]}
    assert [decode(space, i) for i in range(grid_size(space))] == [
        {"a": a, "b": b} for a in [1, 2] for b in "xyz"]


def test_random_is_reproducible_with_a_seed_and_never_repeats() -> None:
    first = drive(RandomStrategy(SPACE, {"budget": 30, "seed": 7}), bowl)
    again = drive(RandomStrategy(SPACE, {"budget": "30", "seed": "7"}), bowl, batch=4)
    other = drive(RandomStrategy(SPACE, {"budget": 30, "seed": 8}), bowl)
    assert first == again
    assert first != other
    assert len(first) == 30
    assert len({repr(sorted(p.items())) for p in first}) == 30


def test_random_budget_larger_than_the_grid_runs_the_grid_once() -> None:
    space = {"a": [1, 2], "b": [3, 4, 5]}
    got = drive(RandomStrategy(space, {"budget": 100, "seed": 1}), lambda p: {})
    assert sorted((p["a"], p["b"]) for p in got) == [(a, b) for a in (1, 2) for b in (3, 4, 5)]


def test_random_resumed_study_completes_the_same_sample() -> None:
    whole = drive(RandomStrategy(SPACE, {"budget": 12, "seed": 3}), bowl)
    resumed = RandomStrategy(SPACE, {"budget": 12, "seed": 3})
    for p in whole[:5]:  # what the interrupted run recorded, re-told before asking
        resumed.tell(p, bowl(p))
    assert drive(resumed, bowl) == whole[5:]


def test_random_huge_grid_is_never_materialised() -> None:
    space = {f"d{i}": list(range(100)) for i in range(6)}  # 10^12 points
    got = drive(RandomStrategy(space, {"budget": 5, "seed": 0}), lambda p: {})
    assert len(got) == 5


@pytest.mark.parametrize(("options", "message"), [
    ({}, "--budget"), ({"budget": 0}, "at least 1"), ({"budget": "many"}, "whole number"),
])
def test_random_needs_a_budget(options: dict[str, Any], message: str) -> None:
    with pytest.raises(StrategyError, match=message):
        RandomStrategy(SPACE, options)


def test_optuna_is_reproducible_with_a_seed() -> None:
    options = {"budget": 25, "seed": 11, "objective": "max:f"}
    first = drive(OptunaStrategy(SPACE, options), bowl)
    again = drive(OptunaStrategy(SPACE, dict(options)), bowl)
    other = drive(OptunaStrategy(SPACE, {**options, "seed": 12}), bowl)
    assert first == again
    assert first != other
    assert len(first) == 25
    assert len({repr(sorted(p.items())) for p in first}) == 25  # never proposes a point twice


def test_optuna_tpe_beats_random_on_average_and_finds_a_good_point() -> None:
    def best(strategy: Any) -> float:
        return max(bowl(p)["f"] for p in drive(strategy, bowl))

    tpe = [best(OptunaStrategy(SPACE, {"budget": 40, "seed": s, "objective": "max:f"})) for s in range(3)]
    rnd = [best(RandomStrategy(SPACE, {"budget": 40, "seed": s})) for s in range(3)]
    assert sum(tpe) >= sum(rnd)
    assert max(tpe) >= -2


def test_optuna_constraints_steer_the_best_feasible_point() -> None:
    strategy = OptunaStrategy(SPACE, {"budget": 40, "seed": 5, "objective": ["max:f"], "constraint": ["x >= 4"]})
    drive(strategy, bowl)
    best = strategy.study.best_trial
    assert best.params["x"] >= 4
    values = best.constraints.values() if isinstance(best.constraints, dict) else best.constraints
    assert all(c <= 0 for c in values)


def test_optuna_several_objectives_use_nsga2() -> None:
    import optuna

    strategy = OptunaStrategy(SPACE, {"budget": 20, "seed": 2, "objective": "max:f,min:slow"})
    assert isinstance(strategy.study.sampler, optuna.samplers.NSGAIISampler)
    assert len(drive(strategy, bowl, batch=5)) == 20
    assert len(strategy.study.best_trials) >= 1
    single = OptunaStrategy(SPACE, {"budget": 5, "seed": 2, "objective": "max:f"})
    assert isinstance(single.study.sampler, optuna.samplers.TPESampler)


def test_optuna_failed_steps_are_failed_trials_and_resume_retells() -> None:
    import optuna

    first = OptunaStrategy(SPACE, {"budget": 6, "seed": 1, "objective": "max:f"})
    done = drive(first, lambda p: {"colmind_status": "failed"} if p["x"] < 0 else bowl(p))
    resumed = OptunaStrategy(SPACE, {"budget": 10, "seed": 1, "objective": "max:f"})
    for p in done:
        resumed.tell(p, {"colmind_status": "failed"} if p["x"] < 0 else bowl(p))
    more = drive(resumed, bowl)
    assert len(more) == 4  # the budget counts the six recorded points
    assert not {repr(sorted(p.items())) for p in more} & {repr(sorted(p.items())) for p in done}
    failed = {repr(sorted(t.params.items())) for t in resumed.study.trials
              if t.state == optuna.trial.TrialState.FAIL}  # re-proposals are answered from the records
    assert failed == {repr(sorted(p.items())) for p in done if p["x"] < 0}


@pytest.mark.slow
def test_strategy_errors_are_plain_cm_errors(cli: Any) -> None:
    res = cli("run", "experiment", "e", "--explore.X=[1, 2]", "--explore_strategy=random", "--", "true")
    assert res.code == 1 and "--budget=N" in res.stderr and "internal" not in res.stderr
    res = cli("run", "experiment", "e", "--explore.X=[1, 2]", "--explore_strategy=optuna", "--budget=2",
              "--objective=fast", "--", "true")
    assert res.code == 1 and "max:KEY or min:KEY" in res.stderr and "internal" not in res.stderr


def test_optuna_needs_an_objective() -> None:
    with pytest.raises(StrategyError, match="--objective"):
        OptunaStrategy(SPACE, {"budget": 3})


def test_optuna_values_that_are_not_plain_scalars() -> None:
    space = {"shape": [[1, 2], [2, 1], (3, 3)], "n": [1, 2]}
    got = drive(OptunaStrategy(space, {"budget": 6, "seed": 0, "objective": "max:v"}),
                lambda p: {"v": sum(p["shape"]) * p["n"]})
    assert len(got) == 6


# -- through cm run experiment ----------------------------------------------------------------
COMMAND = 'echo "{\\"f\\": $((-(X-2)*(X-2) - (Y+1)*(Y+1)))}" > cm-output.json'


def _records(cli: Any, name: str) -> list[dict[str, Any]]:
    res = cli_ok(cli, "find", "experiment", name)
    folder = res.stdout.split()[0]
    out = []
    for run in sorted(os.listdir(folder)):
        path = os.path.join(folder, run, "cm-result.json")
        if os.path.isfile(path):
            out.append(json.load(open(path)))
    assert len(out) == 1
    return out[0]  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["random", "optuna"])
def test_cm_run_experiment_with_a_seeded_strategy_is_reproducible(cli: Any, strategy: str) -> None:
    points = []
    for name in ("one", "two"):
        cli_ok(cli, "run", "experiment", f"{strategy}-{name}", "--explore.X=list(range(-4, 5))",
               "--explore.Y=list(range(-4, 5))", f"--explore_strategy={strategy}", "--budget=8", "--seed=4",
               "--objective=max:f", "--", COMMAND)
        recs = _records(cli, f"{strategy}-{name}")
        assert len(recs) == 8
        assert all(r["colmind_status"] == "ok" for r in recs)
        points.append([(r["colmind_dims.X"], r["colmind_dims.Y"], r["f"]) for r in recs])
    assert points[0] == points[1]


@pytest.mark.slow
def test_cm_rerun_resumes_an_optuna_study(cli: Any) -> None:
    args = ["experiment", "study", "--explore.X=list(range(-4, 5))", "--explore.Y=list(range(-4, 5))",
            "--explore_strategy=optuna", "--seed=4", "--objective=max:f", "--dir=run1"]
    cli_ok(cli, "run", *args, "--budget=5", "--", COMMAND)
    cli_ok(cli, "rerun", *args, "--budget=9", "--", COMMAND)
    recs = _records(cli, "study")
    assert len(recs) == 9
    assert len({(r["colmind_dims.X"], r["colmind_dims.Y"]) for r in recs}) == 9


@pytest.mark.parametrize("cls", [RandomStrategy, OptunaStrategy])
def test_explore_first_is_asked_first_and_counted(cls: Any) -> None:
    first = {"x": 0, "y": 0, "mode": "a"}
    options = {"budget": 5, "seed": 1, "objective": "max:f", "explore_first": first}
    got = drive(cls(SPACE, options), bowl)
    assert got[0] == first and len(got) == 5
    assert sum(p == first for p in got) == 1
    assert drive(cls(SPACE, {**options, "explore_first": json.dumps(first)}), bowl) == got
    with pytest.raises(StrategyError, match="each dimension"):
        cls(SPACE, {**options, "explore_first": {"x": 0}})


def test_optuna_runs_the_whole_small_grid_when_the_budget_allows() -> None:
    space = {"a": [1, 2], "b": [3, 4, 5]}
    got = drive(OptunaStrategy(space, {"budget": 100, "seed": 1, "objective": "max:v"}),
                lambda p: {"v": p["a"] * p["b"]})
    assert sorted((p["a"], p["b"]) for p in got) == [(a, b) for a in (1, 2) for b in (3, 4, 5)]
