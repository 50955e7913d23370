"""Turns an automation artifact into an automation object.

Built-in automations name their class with ``colmind_class`` in their meta. An automation
from a repository brings ``module.py`` with class ``CAutomation``; when its UID is one of the
built-in automations (a repo carrying its own ``automation/script``), the built-in class is
used and the repository's module is never imported.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from colmind.errors import CMError
from colmind.store.model import Artifact

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_BUILTIN_CLASSES: dict[str, str] | None = None


def builtin_classes() -> dict[str, str]:
    """UID and alias -> ``module:Class`` of every built-in automation (read from the built-in repo)."""
    global _BUILTIN_CLASSES
    if _BUILTIN_CLASSES is None:
        import json

        from colmind.store.repos import builtin_repo_path

        table: dict[str, str] = {}
        root = os.path.join(builtin_repo_path(), "automation")
        for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
            meta_file = os.path.join(root, name, "_cm.json")
            if os.path.isfile(meta_file):
                with open(meta_file, encoding="utf-8") as handle:
                    meta = json.load(handle)
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
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name)
    return cls(None, os.path.join(art.path, "module.py"))


def _from_module(art: Artifact) -> Any:
    path = os.path.join(art.path, "module.py")
    from colmind.automations.facade import CMFacade

    if not os.path.isfile(path):
        from colmind.automations.base import Automation

        return Automation(CMFacade(), "")  # meta-only automation: the common actions

    module = load_module_file(path, f"colmind_automation_{art.uid or art.alias}")
    cls = getattr(module, "CAutomation", None)
    if cls is None:
        raise CMError(f"can't load Python module code ({path}): no class CAutomation")
    return cls(CMFacade(), path)


def load_module_file(path: str, name: str) -> Any:
    """Import a Python file written for CM (``from cmind.automation import Automation`` works)."""
    from colmind.compat_loader import cm_imports

    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CMError(f"can't load Python module code ({path})")
    module = importlib.util.module_from_spec(spec)
    with cm_imports():
        try:
            sys.modules[name] = module
            spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(name, None)
            line = _error_line(exc, path)
            raise CMError(f"can't load Python module code ({path}{line}): {type(exc).__name__}: {exc}") from None
    return module


def _error_line(exc: BaseException, path: str) -> str:
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if os.path.abspath(frame.filename) == os.path.abspath(path):
            return f", line {frame.lineno}"
    return ""
