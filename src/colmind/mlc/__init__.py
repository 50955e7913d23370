"""colmind's MLC front-end: mlcflow 1.3.8's commands (``mlc``, ``mlcr``, ``mlce``...) and its Python
API ``access()`` on colmind's engine, cache and index (docs/mlc.md).

A layer above ``colmind.api``: it only calls ``colmind.api.access``. ``import colmind.mlc as mlc``
gives user code ``mlc.access({...})`` without installing anything named ``mlc``; the top-level
``mlc`` stand-in (``colmind/mlc/toplevel/shimdir/mlc``) is described in docs/mlc.md.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

__version__ = "1.3.8"  # the mlcflow version whose behaviour this front-end follows


def access(i: dict[str, Any]) -> dict[str, Any]:
    """mlcflow's ``mlc.access(i)`` (see ``colmind.mlc.api.access``)."""
    from colmind.mlc.api import access as _access

    return _access(i)


__all__ = ["access"]
