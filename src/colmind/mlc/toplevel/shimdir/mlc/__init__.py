"""colmind's stand-in for mlcflow's ``mlc`` package: ``mlc.access(i)`` and ``mlc.utils`` run on
colmind (``colmind.mlc.api``; docs/mlc.md). Put on ``sys.path`` by ``colmind.mlc.toplevel``."""

from colmind.compat import mlc_utils as utils
from colmind.mlc import __version__
from colmind.mlc.api import access

__all__ = ["__version__", "access", "utils"]
