"""CM return codes as process exit statuses, and the CM error line: one rule for every place a
code leaves the process (``cm``, ``cmr``, ``cme``, ``cmrd``, ``python -m colmind``, ``colmind.halt``,
the ``cmind`` facade's ``halt`` and the other front-ends' console scripts, which import
:func:`exit_status` from ``colmind.cli.main``). No imports: the lowest layer may use it."""

from __future__ import annotations


def exit_status(code: object) -> int:
    """The process exit status for a CM return code: 0 stays 0, 1..255 are kept, and every other
    non-zero code (a wait status such as ``os.system``'s 512, a negative or a non-integer code)
    becomes 1: the shell sees only ``code & 255``, so ``sys.exit(512)`` reads as success. cmind
    and mlcflow exit 1 for a hook returning 512."""
    if code is None or code is False or code == 0:
        return 0
    try:
        value = int(code)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 1
    return value if 0 < value <= 255 else 1


def error_message(error: str) -> str:
    """The message before CM's closing ``!``: never ends in a dangling ``:`` (``...: !``) or
    blanks; an empty one says so."""
    text = error.rstrip()
    while text.endswith(":"):
        text = text[:-1].rstrip()
    return text or "failed without an error message"


def closed_stdout() -> int:
    """The reader of stdout went away (``cm ... | head``): exit quietly like other Unix tools (141,
    the shell's status for SIGPIPE)."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return 141
