"""Loggers created on first use, so that ``import logging`` stays off the start-up path."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging


class LazyLogger:
    """A class attribute that reads as ``logging.getLogger(name)`` (on the class and on instances).

    A plain (non-data) descriptor: assigning ``obj.logger = ...`` on an instance still overrides it.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> logging.Logger:
        import logging

        return logging.getLogger(self.name)
