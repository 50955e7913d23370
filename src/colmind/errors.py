"""The exception tree used inside colmind.

Every error carries CM's return code; ``colmind.api.access`` is the single place that turns
an exception into CM's ``{'return': n, 'error': text}`` dict.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar


class CMError(Exception):
    """Base of every error colmind reports to a user (CM return code 1)."""

    return_code: ClassVar[int] = 1

    def __init__(self, message: str, *, hint: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.extra = extra

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.hint, self.extra))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"return": self.return_code, "error": self.message}
        out.update(self.extra)
        return out


def _rebuild(cls: type[CMError], message: str, hint: str | None, extra: dict[str, Any]) -> CMError:
    return cls(message, hint=hint, **extra)


class AmbiguousError(CMError):
    """More than one automation matched (code 2)."""

    return_code = 2


class AutomationNotInRepo(CMError):
    """The automation was not found in the named repository (code 3)."""

    return_code = 3


class AutomationNotFound(CMError):
    """Automation, action or a parsable file was not found / is broken (code 4)."""

    return_code = 4


class BadFile(AutomationNotFound):
    """A JSON/YAML file could not be parsed (code 4, like CM)."""


class AlreadyExists(CMError):
    """An artifact already exists (code 8)."""

    return_code = 8


class NotFound(CMError):
    """An artifact, file or entry was not found (code 16)."""

    return_code = 16


class LockTimeout(CMError):
    """A file lock could not be taken in time; names the lock file."""

    def __init__(self, path: str, waited: float) -> None:
        super().__init__(
            f"timed out after {waited:.1f} s waiting for lock {path} "
            "(another colmind process holds it; remove the file only if no process is running)"
        )
        self.path = path
        self.waited = waited

    def __reduce__(self) -> tuple[Any, ...]:
        return (LockTimeout, (self.path, self.waited))


class ScriptError(CMError):
    """A recipe (script) failed; carries what the user needs to debug it."""
