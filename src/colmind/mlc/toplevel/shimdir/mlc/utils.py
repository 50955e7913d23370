"""``mlc.utils`` of the stand-in: colmind's MLC helper functions (``colmind.compat.mlc_utils``)."""

from colmind.compat.mlc_utils import *  # noqa: F401,F403
from colmind.compat.mlc_utils import __all__  # noqa: F401
