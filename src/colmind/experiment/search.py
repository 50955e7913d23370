"""Search strategies beyond the grid: ``random`` (seeded sample of the grid) and ``optuna``.

Both follow the ``Strategy`` protocol of ``colmind.experiment.strategies``: constructed with
``(space, options)`` (space: dimension -> list of values; options: the command's inputs ``budget``,
``seed``, ``objective``, ``constraint``), ``ask(n)`` returns up to n new points (``[]`` when the
budget or the space is used up) and ``tell(dims, record)`` reports a finished step. A resumed
study re-tells every existing record before its first ``ask``: told points count towards the
budget and are never proposed again. Optuna is imported only here, when that strategy is built.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from colmind.errors import CMError
from colmind.experiment.objectives import (
    Constraint,
    Objective,
    ObjectiveError,
    parse_constraints,
    parse_objectives,
    repeated,
    variables,
)

Point = dict[str, Any]
SHUFFLE_LIMIT = 1_000_000  # grids up to this size are shuffled; bigger ones drawn with rejection


class StrategyError(CMError, ValueError):
    """Bad strategy options (budget, seed, objectives)."""


def point_key(dims: Mapping[str, Any], names: Sequence[str]) -> str:
    """A stable identity of a point (values compared by their repr, as JSON would differ)."""
    return repr(tuple(repr(dims.get(n)) for n in names))


def grid_size(space: Mapping[str, Sequence[Any]]) -> int:
    return math.prod(len(v) for v in space.values())


def decode(space: Mapping[str, Sequence[Any]], index: int) -> Point:
    """The ``index``-th point of the grid (last dimension fastest, like the grid strategy)."""
    point: Point = {}
    for name in reversed(list(space)):
        values = space[name]
        index, pos = divmod(index, len(values))
        point[name] = values[pos]
    return {name: point[name] for name in space}


def option_int(options: Mapping[str, Any], key: str, default: int | None) -> int | None:
    value = options.get(key, default)
    if value is None or value == "":
        return default
    try:
        return int(str(value))
    except ValueError as exc:
        raise StrategyError(f"--{key}={value!r}: give a whole number") from exc


def first_point(space: Mapping[str, Sequence[Any]], options: Mapping[str, Any]) -> Point | None:
    """``--explore_first``: a point to run before any other (e.g. the default configuration, so that
    the best found is never worse than it); a mapping or JSON text, every dimension given."""
    value = options.get("explore_first")
    if not value:
        return None
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError as exc:
            raise StrategyError(f"--explore_first: not a JSON object: {exc}") from None
    if not isinstance(value, Mapping) or set(value) != set(space):
        raise StrategyError(f"--explore_first must give a value of each dimension: {', '.join(space)}")
    point = {}
    for name in space:
        point[name] = space[name][_index_of(space[name], value[name], name)]
    return point


def _budget(options: Mapping[str, Any], space: Mapping[str, Sequence[Any]]) -> int:
    budget = option_int(options, "budget", None)
    if budget is None:
        raise StrategyError("this strategy needs --budget=N (the number of steps to run)")
    if budget < 1:
        raise StrategyError(f"--budget={budget}: give at least 1")
    return min(budget, grid_size(space))


def shuffled_indices(space: Mapping[str, Sequence[Any]], rng: random.Random) -> Iterator[int]:
    """Every grid index once, in a seeded random order that does not depend on how far it is read
    (a resumed study continues the same sequence); huge grids are never materialised."""
    size = grid_size(space)
    if size <= SHUFFLE_LIMIT:
        order = list(range(size))
        rng.shuffle(order)
        yield from order
        return
    drawn: set[int] = set()
    while len(drawn) < size:
        index = rng.randrange(size)
        if index not in drawn:
            drawn.add(index)
            yield index


class _Tracker:
    """Points proposed and points told, for the budget and for never proposing twice."""

    def __init__(self, space: Mapping[str, Sequence[Any]], budget: int) -> None:
        self.names = list(space)
        self.budget = budget
        self.seen: set[str] = set()

    def key(self, dims: Mapping[str, Any]) -> str:
        return point_key(dims, self.names)

    def room(self, n: int) -> int:
        return max(0, min(n, self.budget - len(self.seen)))


class RandomStrategy:
    """A seeded random sample of the grid, without repetition, ``--budget`` points in all."""

    def __init__(self, space: Mapping[str, Sequence[Any]], options: Mapping[str, Any]) -> None:
        self.space = {k: list(v) for k, v in space.items()}
        self.track = _Tracker(self.space, _budget(options, self.space))
        seed = option_int(options, "seed", None)
        self._order = shuffled_indices(self.space, random.Random(seed))
        self._first = first_point(self.space, options)

    def ask(self, n: int) -> list[Point]:
        points: list[Point] = []
        room = self.track.room(n)
        while len(points) < room:
            if self._first is not None:
                point, self._first = self._first, None
            else:
                index = next(self._order, None)
                if index is None:
                    break
                point = decode(self.space, index)
            key = self.track.key(point)
            if key not in self.track.seen:
                self.track.seen.add(key)
                points.append(point)
        return points

    def tell(self, dims: Mapping[str, Any], record: Mapping[str, Any]) -> None:
        self.track.seen.add(self.track.key(dims))


class OptunaStrategy:
    """Optuna: TPE for one objective, NSGA-II for several; seeded; constraints from records."""

    def __init__(self, space: Mapping[str, Sequence[Any]], options: Mapping[str, Any]) -> None:
        self.space = {k: list(v) for k, v in space.items()}
        self.objectives = parse_objectives(repeated(options, "objective"))
        if not self.objectives:
            raise StrategyError("--explore_strategy=optuna needs --objective=max:KEY or min:KEY")
        self.constraints = parse_constraints(repeated(options, "constraint"))
        self.track = _Tracker(self.space, _budget(options, self.space))
        self.seed = option_int(options, "seed", None)
        # ask as many points as run at once (--jobs): each later ask learns from every earlier record
        self.batch_size = max(1, option_int(options, "jobs", 1) or 1)
        self.study = _make_study(self.objectives, self.constraints, self.seed)
        self.choices = {k: _choices(v) for k, v in self.space.items()}
        first = first_point(self.space, options)
        if first is not None:
            self.study.enqueue_trial(self._params(first))
        self._rest = shuffled_indices(self.space, random.Random(self.seed))
        self.pending: dict[str, Any] = {}  # point key -> optuna trial
        self.results: dict[str, Mapping[str, Any]] = {}  # point key -> record (duplicates answered)

    def ask(self, n: int) -> list[Point]:
        points: list[Point] = []
        room, tries = self.track.room(n), 0
        while len(points) < room and tries < 20 * max(1, n) + len(self.track.seen):
            tries += 1
            trial = self.study.ask()
            point = self._suggest(trial)
            key = self.track.key(point)
            if key in self.track.seen:  # TPE may propose a point again: answer it from its record
                self._finish(trial, point, self.results.get(key))
                continue
            self.track.seen.add(key)
            self.pending[key] = trial
            points.append(point)
        while len(points) < room:  # the sampler keeps proposing known points: fill from the rest
            unseen = self._unseen()
            if unseen is None:
                break
            self.study.enqueue_trial(self._params(unseen), skip_if_exists=False)
            trial = self.study.ask()
            self._suggest(trial)
            self.track.seen.add(self.track.key(unseen))
            self.pending[self.track.key(unseen)] = trial
            points.append(unseen)
        return points

    def _unseen(self) -> Point | None:
        """The next point not yet run, in a seeded random order."""
        for index in self._rest:
            point = decode(self.space, index)
            if self.track.key(point) not in self.track.seen:
                return point
        return None

    def tell(self, dims: Mapping[str, Any], record: Mapping[str, Any]) -> None:
        point = {k: dims.get(k) for k in self.space}
        key = self.track.key(point)
        trial = self.pending.pop(key, None)
        if trial is None:  # a record from before (resume) or a point it did not propose
            self.study.enqueue_trial(self._params(point), skip_if_exists=False)
            trial = self.study.ask()
            self._suggest(trial)
        self.track.seen.add(key)
        self.results[key] = record
        self._finish(trial, point, record)

    def _suggest(self, trial: Any) -> Point:
        point: Point = {}
        for name, (labels, values) in self.choices.items():
            label = trial.suggest_categorical(name, labels)
            point[name] = values[labels.index(label)]
        return point

    def _params(self, point: Mapping[str, Any]) -> dict[str, Any]:
        params = {}
        for name, (labels, values) in self.choices.items():
            params[name] = labels[_index_of(values, point[name], name)]
        return params

    def _finish(self, trial: Any, point: Mapping[str, Any], record: Mapping[str, Any] | None) -> None:
        import optuna

        values = None if record is None else _values(record, point, self.objectives)
        if values is None:
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return
        names = {**point, **variables(record or {})}
        violations = [0.0 if c.satisfied(names) else 1.0 for c in self.constraints]
        if hasattr(trial, "set_constraint"):  # Optuna >= 5
            for i, value in enumerate(violations):
                trial.set_constraint(str(i), value)
        else:
            trial.set_user_attr("colmind_constraints", violations)
        self.study.tell(trial, values if len(values) > 1 else values[0])


def _values(record: Mapping[str, Any], point: Mapping[str, Any],
            objectives: Sequence[Objective]) -> list[float] | None:
    if record.get("colmind_status", "ok") != "ok":
        return None
    merged = {**point, **record}
    values = [o.value(merged) for o in objectives]
    return None if any(v is None for v in values) else [float(v) for v in values if v is not None]


def _choices(values: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Optuna's categorical choices for ``values``: the values themselves when they are all plain
    scalars (nicer in Optuna's reports), else their positions as strings."""
    plain = all(v is None or isinstance(v, (bool, int, float, str)) for v in values)
    unique = len({(type(v), v) for v in values}) == len(values) if plain else False
    if plain and unique:
        return list(values), list(values)
    return [f"#{i}" for i in range(len(values))], list(values)


def _index_of(values: Sequence[Any], value: Any, name: str) -> int:
    for i, v in enumerate(values):
        if v == value and type(v) is type(value):
            return i
    for i, v in enumerate(values):
        if str(v) == str(value):  # a record written as text
            return i
    raise ObjectiveError(f"dimension {name}: value {value!r} is not in the explored list")


def _constraints_of(trial: Any) -> list[float]:
    return list(trial.user_attrs.get("colmind_constraints", [0.0]))


def _make_study(objectives: Sequence[Objective], constraints: Sequence[Constraint], seed: int | None) -> Any:
    import warnings

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    modern = hasattr(optuna.trial.Trial, "set_constraint")  # else the constraints_func of Optuna < 5
    func = _constraints_of if constraints and not modern else None
    if len(objectives) == 1:
        sampler: Any = optuna.samplers.TPESampler(seed=seed, constraints_func=func)
    else:
        sampler = optuna.samplers.NSGAIISampler(seed=seed, constraints_func=func)
    directions: list[Any] = ["maximize" if o.maximize else "minimize" for o in objectives]
    return optuna.create_study(directions=directions, sampler=sampler)
