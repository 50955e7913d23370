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
        print(f"\nCM error: {r.get('error', '')}!", file=sys.stderr)
    return r


def halt(r: dict[str, Any]) -> None:
    """Print the error (if any) and exit with ``r['return']``."""
    error(r)
    sys.exit(int(r.get("return", 0) or 0))


__all__ = ["access", "error", "halt", "__version__"]
