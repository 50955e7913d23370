"""colmind: a fast, reliable, open implementation of Collective Mind (CM).

Public API (CM-compatible): ``access``, ``error``, ``halt``, ``__version__``.
"""

from __future__ import annotations

import sys

from colmind.version import __version__

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


def access(i: dict[str, Any] | str | list[str] | None, out: str | None = None) -> dict[str, Any]:
    """CM's ``cmind.access``: run one action; see ``colmind.api.access``."""
    from colmind.api import access as _access

    return _access(i, out)


def error(r: dict[str, Any]) -> dict[str, Any]:
    """Print ``r['error']`` like CM when ``r['return'] > 0``; returns ``r``."""
    if r.get("return", 0) > 0:
        from colmind.exitcodes import error_message

        print(f"\nCM error: {error_message(str(r.get('error', '')))}!", file=sys.stderr)
    return r


def halt(r: dict[str, Any]) -> None:
    """Print the error (if any) and exit with ``r['return']``."""
    from colmind.exitcodes import exit_status

    error(r)
    sys.exit(exit_status(r.get("return", 0)))


__all__ = ["access", "error", "halt", "__version__"]
