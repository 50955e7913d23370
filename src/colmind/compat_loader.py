"""Makes ``cmind``/``mlc`` imports resolve to colmind while CM/MLC code is being loaded.

Delegates to ``colmind.compat.shim.recipe_imports`` and adds ``cmind.automation.Automation``
(our base class) for automation modules written for CM.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager


@contextmanager
def cm_imports() -> Iterator[None]:
    with ExitStack() as stack:
        from colmind.compat.shim import recipe_imports

        stack.enter_context(recipe_imports())
        saved = {k: sys.modules.get(k) for k in ("cmind.automation", "mlc.automation")}
        from colmind.automations.base import Automation

        for name in saved:
            module = types.ModuleType(name)
            module.Automation = Automation  # type: ignore[attr-defined]
            sys.modules[name] = module
            parent = sys.modules.get(name.split(".")[0])
            if parent is not None:
                try:
                    parent.automation = module  # type: ignore[attr-defined]
                except AttributeError:
                    pass
        try:
            yield
        finally:
            for name, old in saved.items():
                if old is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = old
