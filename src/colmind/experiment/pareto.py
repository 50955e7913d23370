"""Pareto fronts of experiment records: records + objectives + constraints -> non-dominated set.

Pure functions, no I/O (``colmind.experiment.pareto_action`` reads and writes the run folder).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from colmind.experiment.objectives import Constraint, Objective, feasible

Vector = tuple[float, ...]


def dominates(a: Vector, b: Vector) -> bool:
    """``a`` dominates ``b`` (every coordinate maximised): no worse anywhere, better somewhere."""
    return all(x >= y for x, y in zip(a, b, strict=True)) and any(x > y for x, y in zip(a, b, strict=True))


def front_indices(points: Sequence[Vector]) -> list[int]:
    """Indices of the non-dominated points (maximisation), ascending. Equal points are all kept.

    Sorted lexicographically descending, a point can only be dominated by one before it, and
    (domination being transitive) then by a front member before it: O(n * front size)."""
    order = sorted(range(len(points)), key=lambda i: points[i], reverse=True)
    front: list[int] = []
    for i in order:
        if not any(dominates(points[j], points[i]) for j in front):
            front.append(i)
    return sorted(front)


@dataclass(frozen=True)
class ParetoResult:
    front: list[int]        # indices into the records, ascending
    feasible: list[int]     # records with every objective value and every constraint satisfied
    values: list[Vector | None]  # objective values per record (as given: max/min not flipped)


def objective_vector(record: Mapping[str, Any], objectives: Sequence[Objective]) -> Vector | None:
    values = [o.value(record) for o in objectives]
    if any(v is None for v in values):
        return None
    return tuple(float(v) for v in values if v is not None)


def pareto(records: Sequence[Mapping[str, Any]], objectives: Sequence[Objective],
           constraints: Sequence[Constraint] = ()) -> ParetoResult:
    """The non-dominated feasible records for ``objectives`` (at least one)."""
    if not objectives:
        raise ValueError("a Pareto front needs at least one objective")
    values = [objective_vector(r, objectives) for r in records]
    ok = [i for i, r in enumerate(records) if values[i] is not None and feasible(r, constraints)]
    signs = [1.0 if o.maximize else -1.0 for o in objectives]
    points = [tuple(s * v for s, v in zip(signs, values[i] or (), strict=True)) for i in ok]
    return ParetoResult([ok[k] for k in front_indices(points)], ok, values)
