"""Turns an automation artifact into an automation object.

Built-in automations name their class with ``colmind_class`` in their meta. An automation
from a repository brings ``module.py`` with class ``CAutomation``; when its UID is one of the
built-in automations (a repo carrying its own ``automation/script``), the built-in class is
used and the repository's module is never imported.

A module that imports only ``cmind.automation`` (or ``mlc.automation``) is loaded without the
CM/MLC compatibility shim (``colmind.compat``, costly to import); the first import of anything
else of ``cmind``/``mlc``/``utils`` restarts the load under the full shim.
"""

from __future__ import annotations

import os
import sys

from colmind.errors import CMError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.machinery import ModuleSpec
    from typing import Any

    from colmind.store.model import Artifact

_BUILTIN_CLASSES: dict[str, str] | None = None
# called with the path of a repository's module.py before it is loaded; may raise to refuse
_MODULE_GUARDS: list[Callable[[str], None]] = []


def guard_module_loads(guard: Callable[[str], None]) -> None:
    """Have ``guard(path)`` called before any automation ``module.py`` of a repository is loaded
    (the index monitor refuses to run repository code while it answers a query)."""
    _MODULE_GUARDS[:] = [guard]


def builtin_classes() -> dict[str, str]:
    """UID and alias -> ``module:Class`` of every built-in automation (read from the built-in repo)."""
    global _BUILTIN_CLASSES
    if _BUILTIN_CLASSES is None:
        from colmind.store.jsonload import loads
        from colmind.store.repos import builtin_repo_path

        table: dict[str, str] = {}
        root = os.path.join(builtin_repo_path(), "automation")
        for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
            meta_file = os.path.join(root, name, "_cm.json")
            if os.path.isfile(meta_file):
                with open(meta_file, encoding="utf-8") as handle:
                    meta = loads(handle.read())
                if meta.get("colmind_class"):
                    table[meta["uid"]] = meta["colmind_class"]
        _BUILTIN_CLASSES = table
    return _BUILTIN_CLASSES


def instantiate(art: Artifact) -> Any:
    """An automation object for the automation artifact ``art``."""
    target = art.meta.get("colmind_class") or builtin_classes().get(art.uid)
    if target:
        obj = _builtin(target, art)
    else:
        obj = _from_module(art)
    obj.meta = art.meta
    obj.alias = art.alias
    obj.uid = art.uid
    obj.full_path = art.path
    obj.artifact = art
    return obj


def common(meta: dict[str, Any] | None = None) -> Any:
    from colmind.automations.base import Automation

    obj = Automation()
    obj.meta = meta or {"alias": "automation", "uid": "bbeb15d8f0a944a4"}
    return obj


def _builtin(target: str, art: Artifact) -> Any:
    from importlib import import_module

    module_name, _, class_name = target.partition(":")
    module = import_module(module_name)
    cls = getattr(module, class_name)
    return cls(None, os.path.join(art.path, "module.py"))


def _from_module(art: Artifact) -> Any:
    path = os.path.join(art.path, "module.py")
    from colmind.automations.facade import CMFacade

    if not os.path.isfile(path):
        from colmind.automations.base import Automation

        return Automation(CMFacade(), "")  # meta-only automation: the common actions
    for guard in _MODULE_GUARDS:
        guard(path)
    module = load_module_file(path, f"colmind_automation_{art.uid or art.alias}")
    cls = getattr(module, "CAutomation", None)
    if cls is None:
        raise CMError(f"can't load Python module code ({path}): no class CAutomation")
    return cls(CMFacade(), path)


def load_module_file(path: str, name: str) -> Any:
    """Import a Python file written for CM (``from cmind.automation import Automation`` works)."""
    # what ``importlib.util`` re-exports, without its imports (contextlib...): start-up cost
    from importlib._bootstrap_external import spec_from_file_location

    spec = spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CMError(f"can't load Python module code ({path})")
    if not any(n in sys.modules for n in _SHIM_MODULES) and _imports_only_automation(path):
        try:
            with _AutomationImports():
                return _exec_module(spec, path)
        except _NeedsShim:
            pass  # the module imports more of cmind/mlc: load it again under the full shim
    from colmind.compat_loader import cm_imports

    with cm_imports():
        return _exec_module(spec, path)


def _exec_module(spec: ModuleSpec, path: str) -> Any:
    from importlib._bootstrap import module_from_spec

    module = module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    except _NeedsShim:
        sys.modules.pop(spec.name, None)
        raise
    except Exception as exc:
        sys.modules.pop(spec.name, None)
        line = _error_line(exc, path)
        raise CMError(f"can't load Python module code ({path}{line}): {type(exc).__name__}: {exc}") from None
    return module


def _imports_only_automation(path: str) -> bool:
    """Whether the module's import lines name no ``cmind``/``mlc``/``utils`` module other than
    ``cmind.automation``/``mlc.automation`` (read from the source, so that the usual module is
    executed once; a dynamic import found while it runs still falls back to the shim)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return False
    if "import_module" in text or "__import__" in text:
        return False
    for line in text.splitlines():
        words = line.replace(",", " ").replace("(", " ").split()
        if not words or words[0] not in ("import", "from"):
            continue
        names = words[1:2] if words[0] == "from" else [w for w in words[1:] if w != "as"]
        for name in names:
            if name.partition(".")[0] in ("cmind", "mlc", "utils") and name not in _AUTOMATION_MODULES:
                return False
    return True


# What ``colmind.compat`` puts into ``sys.modules`` (plus the automation modules): when one is
# there already (a real cmind, a recipe being loaded), the full shim decides what they mean.
_SHIM_MODULES = ("cmind", "cmind.utils", "cmind.automation", "mlc", "mlc.utils", "mlc.automation", "utils")
_AUTOMATION_MODULES = ("cmind.automation", "mlc.automation")


class _NeedsShim(BaseException):
    """Raised by an import of ``cmind``/``mlc``/``utils`` during a light load (a BaseException:
    the module's own ``except Exception`` must not swallow it)."""


class _AutomationImports:
    """While loading ``module.py`` in this thread: ``cmind.automation``/``mlc.automation`` hold our
    ``Automation``; importing any other ``cmind``/``mlc``/``utils`` module raises ``_NeedsShim``."""

    def __init__(self) -> None:
        from _thread import get_ident

        self.thread = get_ident()

    def __enter__(self) -> _AutomationImports:
        from colmind.automations.base import Automation

        for name in _AUTOMATION_MODULES:
            module = type(sys)(name)
            module.Automation = Automation  # type: ignore[attr-defined]
            sys.modules[name] = module
        sys.meta_path.insert(0, self)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.meta_path[:] = [finder for finder in sys.meta_path if finder is not self]
        for name in _AUTOMATION_MODULES:
            sys.modules.pop(name, None)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        from _thread import get_ident

        root = name.partition(".")[0]
        if root in ("cmind", "mlc", "utils") and get_ident() == self.thread:
            raise _NeedsShim(name)
        return None


def _error_line(exc: BaseException, path: str) -> str:
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if os.path.abspath(frame.filename) == os.path.abspath(path):
            return f", line {frame.lineno}"
    return ""
