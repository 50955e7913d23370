"""Pareto front of points for two objectives, each maximised or minimised."""

from __future__ import annotations

from collections.abc import Sequence


def front(points: Sequence[tuple[float, float]], maximize: tuple[bool, bool] = (True, True)) -> list[int]:
    """Indexes of the non-dominated points, ordered along the first objective.

    A point dominates another if it is at least as good in both objectives and better in one.
    Duplicates of a front point are all on the front. O(n log n).
    """
    sx = 1.0 if maximize[0] else -1.0
    sy = 1.0 if maximize[1] else -1.0
    order = sorted(range(len(points)), key=lambda i: (-sx * points[i][0], -sy * points[i][1]))
    out: list[int] = []
    best_y = float("-inf")
    last: tuple[float, float] | None = None
    for i in order:
        x, y = sx * points[i][0], sy * points[i][1]
        if y > best_y:
            out.append(i)
            best_y = y
            last = (x, y)
        elif last is not None and (x, y) == last:
            out.append(i)
    return out
