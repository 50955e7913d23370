"""customize.py: loading it (with ``cmind``/``mlc`` resolving to colmind's compat modules) and
calling ``preprocess`` / ``postprocess`` / ``detect_version`` / ``predeps`` (spec 2.9).

A hook that raises is reported with the file and line; one returning ``return > 0`` aborts the
run with that code.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

from colmind.errors import CMError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

CUSTOMIZE = "customize.py"
_modules: dict[tuple[str, float], ModuleType] = {}


class HookError(CMError):
    """A customize.py hook failed (raised, or returned ``return > 0``)."""


class recipe_context:  # noqa: N801 - used like the function-style context managers it replaced
    """``with recipe_context(dir):`` ``cmind``/``mlc`` imports resolve to compat; the recipe dir
    is importable (MLC). A class, not ``contextlib.contextmanager``: no ``contextlib`` to import
    on every run."""

    def __init__(self, script_dir: str) -> None:
        self.script_dir = script_dir
        self.added = False
        self.shim: Any = None

    def __enter__(self) -> None:
        from colmind.compat.shim import recipe_imports

        self.added = self.script_dir not in sys.path
        if self.added:
            sys.path.insert(0, self.script_dir)
        try:
            self.shim = recipe_imports()
            self.shim.__enter__()
        except BaseException:
            self._drop_path()
            raise

    def __exit__(self, *exc: Any) -> None:
        try:
            self.shim.__exit__(*exc)
        finally:
            self._drop_path()

    def _drop_path(self) -> None:
        if self.added:
            try:
                sys.path.remove(self.script_dir)
            except ValueError:
                pass


def load(script_dir: str) -> ModuleType | None:
    """Import ``<script_dir>/customize.py`` once per file version; ``None`` if absent."""
    path = os.path.join(script_dir, CUSTOMIZE)
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return None
    key = (path, mtime)
    if key in _modules:
        return _modules[key]
    # ``importlib.util``'s two functions, from the modules it takes them from (no ``importlib.util``
    # and its ``contextlib`` import on every run); the registry loads automation modules the same way
    from importlib._bootstrap import module_from_spec
    from importlib._bootstrap_external import spec_from_file_location

    name = "colmind_recipe_" + str(abs(hash(path)))
    spec = spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise HookError(f"cannot load {path}")
    module = module_from_spec(spec)
    with recipe_context(script_dir):
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - any recipe error must be reported, not leaked
            raise HookError(_explain(exc, path, "loading")) from None
    _modules[key] = module
    return module


def has_hook(module: ModuleType | None, name: str) -> bool:
    return module is not None and callable(getattr(module, name, None))


def call(module: ModuleType, name: str, i: dict[str, Any], script_dir: str) -> dict[str, Any]:
    """Call hook ``name`` with ``i``; return its dict.

    Raises:
        HookError: the hook raised or returned ``return > 0`` (code kept).
    """
    func: Callable[[dict[str, Any]], Any] = getattr(module, name)
    path = os.path.join(script_dir, CUSTOMIZE)
    with recipe_context(script_dir):
        try:
            r = func(i)
        except CMError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise HookError(_explain(exc, path, name)) from None
    if r is None:
        return {"return": 0}
    if not isinstance(r, dict):
        raise HookError(f"{path}: {name}() returned {type(r).__name__}, expected a dict with 'return'")
    code = r.get("return", 0)
    if isinstance(code, int) and code > 0:
        err = HookError(f"{name}() in {path} failed: {failure_text(r)}")
        err.return_code = code  # type: ignore[misc]
        raise err
    return r


def call_for_result(module: ModuleType, name: str, i: dict[str, Any], script_dir: str) -> dict[str, Any]:
    """:func:`call` for a hook a recipe helper runs on the recipe's behalf (``detect_version``
    after ``detect_version_using_script``/``run_native_script``): a failure comes back as the
    hook's own result dict (``return > 0``) for the recipe to judge, as CM hands it back; a
    recipe that probes ("installed already?") treats it as "not found" and installs."""
    try:
        return call(module, name, i, script_dir)
    except HookError as exc:
        return {"return": int(getattr(exc, "return_code", 1) or 1), "error": str(exc)}


def failure_text(r: dict[str, Any]) -> str:
    """The error of a failed hook result; a code without a message is named (``returned 512``)."""
    error = str(r.get("error") or "").strip().rstrip(":").rstrip()
    return error or f"returned {r.get('return')} without an error message"


def _explain(exc: BaseException, path: str, what: str) -> str:
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    line = next((f.lineno for f in reversed(frames) if os.path.abspath(f.filename) == os.path.abspath(path)), None)
    where = f"{path}, line {line}" if line else path
    return f"customize.py {what} raised {type(exc).__name__}: {exc} ({where})"
