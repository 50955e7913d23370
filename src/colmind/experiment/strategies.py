"""Which dimension values run next: the ``Strategy`` protocol, the Cartesian grid (CM's behaviour)
and the name table of ``--explore_strategy``.

A strategy is built with ``(space, options)``: ``space`` maps each dimension to its list of values
(in the order the user gave them), ``options`` is the command's input (budget, seed, objective,
constraint...). The runner asks for a batch, runs it, tells each record back, and repeats until
``ask`` returns ``[]``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, Protocol

from colmind.errors import CMError


class Strategy(Protocol):
    def ask(self, n: int) -> list[dict[str, Any]]:
        """Up to ``n`` next dimension dicts to run; ``[]`` when the search is over."""
        ...

    def tell(self, dims: dict[str, Any], record: dict[str, Any]) -> None:
        """The record (cm-result.json entry) a step with ``dims`` produced."""
        ...


class GridStrategy:
    """Every combination, last dimension varying fastest (``itertools.product``, as CM); no
    dimension -> one step with no values; an empty dimension -> no step."""

    def __init__(self, space: dict[str, list[Any]], options: dict[str, Any] | None = None) -> None:
        self.names = list(space)
        self._iter: Iterator[tuple[Any, ...]] = itertools.product(*(space[n] for n in self.names))
        self.total = 1
        for values in space.values():
            self.total *= len(values)

    def ask(self, n: int) -> list[dict[str, Any]]:
        return [dict(zip(self.names, combo, strict=True)) for combo in itertools.islice(self._iter, max(n, 1))]

    def tell(self, dims: dict[str, Any], record: dict[str, Any]) -> None:
        return None


# --explore_strategy=NAME -> a class or "module:Class" (loaded when named)
STRATEGIES: dict[str, Any] = {
    "grid": GridStrategy,
    "random": "colmind.experiment.search:RandomStrategy",
    "optuna": "colmind.experiment.search:OptunaStrategy",
}


def make_strategy(name: str, space: dict[str, list[Any]], options: dict[str, Any]) -> Strategy:
    from colmind.experiment.executors import load_named

    target = STRATEGIES.get(name or "grid")
    if target is None:
        raise CMError(f"unknown explore strategy '{name}' (known: {', '.join(sorted(STRATEGIES))})")
    cls = load_named(target, f"strategy '{name}'")
    return cls(space, options)  # type: ignore[no-any-return]
