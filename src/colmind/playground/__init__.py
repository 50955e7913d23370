"""The colmind Playground: a local web app over colmind's repositories.

Find recipes, build commands (never run them), explore and compare experiment results, follow
challenges, leaderboards and reports. It sits above :mod:`colmind.api` and uses only it (and the
store's atomic writes); ``cm`` never imports this package. Start it with
``cm run script "gui _playground"`` or ``python -m colmind.playground``.
"""

from __future__ import annotations

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m colmind.playground``."""
    from colmind.playground.server import main as server_main

    return server_main(argv)
