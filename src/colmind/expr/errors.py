"""The one error of the expression language (CM return code 1, message names the expression)."""

from __future__ import annotations

from colmind.errors import CMError


class ExprError(CMError, ValueError):
    """An expression that is not allowed, does not parse, or fails when evaluated."""

    def __init__(self, text: str, reason: str) -> None:
        shown = text if len(text) <= 200 else text[:197] + "..."
        super().__init__(f"expression {shown!r}: {reason}")
        self.text = text
        self.reason = reason

    def __reduce__(self):  # type: ignore[override]
        return (ExprError, (self.text, self.reason))
