"""Make ``import cmind`` / ``from mlc import utils`` resolve to colmind while a recipe runs.

``recipe_imports()`` temporarily puts stand-in modules into ``sys.modules``:

* ``cmind`` (``__version__`` "4.2.0", ``access(i)``, ``utils``) and ``cmind.utils``;
* ``mlc`` (``access(i)``, ``utils``) and ``mlc.utils``;
* ``utils`` (the MLC engine helpers, ``is_true``...) only when no real ``utils`` module is
  importable, so a recipe's own ``utils.py`` is never shadowed.

On exit of the outermost block ``sys.modules`` gets back exactly the entries it had for these
names (a real cmind/mlcflow imported before or after the block is untouched). Nested use is
allowed, from any thread; a lock guards the install/restore bookkeeping.
"""

from __future__ import annotations

import _thread
import sys
from types import ModuleType

from colmind.compat import cmind_utils, mlc_utils

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

CMIND_VERSION = "4.2.0"
MLC_VERSION = "1.3.8"
_NAMES = ("cmind", "cmind.utils", "mlc", "mlc.utils", "utils")
_MISSING = object()
_lock = _thread.RLock()  # ``threading``'s RLock is this C lock; importing threading costs start-up
_depth = 0
_saved: dict[str, Any] = {}


def _access(i: Any) -> dict[str, Any]:
    """Forward to ``colmind.api.access`` (imported lazily: it may not exist yet)."""
    try:
        from colmind import api  # type: ignore[attr-defined]
    except ImportError as exc:
        return {"return": 1, "error": f"colmind.api.access is not available: {exc}"}
    result: dict[str, Any] = api.access(i)
    return result


# mlcflow's API (``target`` instead of ``automation``) is implemented above the api, in the MLC
# front-end: named here as a plug-in, imported on first use (compat never imports it statically)
MLC_ACCESS_PLUGIN = "colmind.mlc.api:access"


def mlc_access(i: Any) -> dict[str, Any]:
    """``mlc.access``: an mlcflow-style input (``target``) goes to the MLC front-end's API, any
    other input to ``colmind.api.access`` as ``cmind.access`` does."""
    if not (isinstance(i, dict) and i.get("target") and not i.get("automation")):
        return _access(i)
    import importlib

    module, _, name = MLC_ACCESS_PLUGIN.partition(":")
    try:
        func = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return _access({**{k: v for k, v in i.items() if k != "target"}, "automation": i["target"]})
    result: dict[str, Any] = func(i)
    return result


def _package(name: str, utils: ModuleType, **attrs: Any) -> ModuleType:
    module = ModuleType(name, f"colmind stand-in for the {name} package")
    module.__path__ = []  # a package, so ``import <name>.utils`` works
    module.__package__ = name
    module.utils = utils  # type: ignore[attr-defined]
    module.access = _access  # type: ignore[attr-defined]
    for key, value in attrs.items():
        setattr(module, key, value)
    return module


def stand_in_modules() -> dict[str, ModuleType]:
    """The stand-in modules by name (fresh package objects; the utils modules are shared)."""
    cmind = _package("cmind", cmind_utils, __version__=CMIND_VERSION)
    mlc = _package("mlc", mlc_utils, __version__=MLC_VERSION)
    mlc.access = mlc_access  # type: ignore[attr-defined]
    return {"cmind": cmind, "cmind.utils": cmind_utils, "mlc": mlc, "mlc.utils": mlc_utils,
            "utils": mlc_utils}


def _real_utils_importable() -> bool:
    if "utils" in sys.modules:
        return True
    key = _search_state()
    known = _utils_found.get(key)
    if known is None:
        known = _find_utils()
        if len(_utils_found) >= 64:
            _utils_found.clear()
        _utils_found[key] = known
    return known


def _search_state() -> tuple[Any, ...]:
    """What ``import utils`` depends on: the finders, the search path (with the working folder
    for relative entries) and each folder's modification time (a new ``utils.py`` changes it).
    Every recipe hook call asks; a search costs ~0.1 ms, this ~10 us."""
    import os

    stamps: list[int | None] = []
    for entry in sys.path:
        try:
            stamps.append(os.stat(entry or ".").st_mtime_ns)
        except (OSError, TypeError, ValueError):
            stamps.append(None)
    relative = any(not isinstance(e, str) or not os.path.isabs(e) for e in sys.path)
    return (tuple(sys.path), tuple(stamps), tuple(map(id, sys.meta_path)), os.getcwd() if relative else "")


def _find_utils() -> bool:
    from importlib._bootstrap import _find_spec  # type: ignore[attr-defined]  # what util.find_spec calls

    try:
        return _find_spec("utils", None) is not None
    except (ImportError, ValueError):
        return False


_utils_found: dict[tuple[Any, ...], bool] = {}


def _install() -> None:
    modules = stand_in_modules()
    if _real_utils_importable():
        del modules["utils"]
    for name in _NAMES:
        _saved[name] = sys.modules.get(name, _MISSING)
    sys.modules.update(modules)


def _restore() -> None:
    for name, old in _saved.items():
        if old is _MISSING:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = old
    _saved.clear()


class recipe_imports:  # noqa: N801 - a context manager used like a function
    """``with recipe_imports():`` inside the block ``cmind``/``mlc`` (and their ``utils``) are
    colmind's compat modules.

    The lock only guards entering and leaving: threads may be inside at the same time, and the
    stand-ins stay installed until the last one leaves. (A class rather than
    ``contextlib.contextmanager``: every recipe hook call enters it, and ``contextlib`` would be
    one more import of every ``cm run script``.)
    """

    def __enter__(self) -> None:
        global _depth
        with _lock:
            if _depth == 0:
                _install()
            _depth += 1

    def __exit__(self, *exc: Any) -> None:
        global _depth
        with _lock:
            _depth -= 1
            if _depth == 0:
                _restore()
