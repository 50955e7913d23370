"""CM module helpers: import a Python file, call a sibling module, resolve ``_base`` inheritance."""

from __future__ import annotations

import os
from types import ModuleType

from colmind.compat.cm_dicts import merge_dicts

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_MAX_BASE_DEPTH = 10


def _import_file(name: str, path: str) -> ModuleType:
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_python_module(i: dict[str, Any]) -> dict[str, Any]:
    """Import ``<path>/<name>.py`` → ``code`` (module), ``path``, ``code_uid`` (empty)."""
    path = os.path.join(i["path"], i["name"] + ".py")
    if not os.path.isfile(path):
        return {"return": 1, "error": f"can't find Python module file {path}"}
    try:
        module = _import_file(i["name"], path)
    except Exception as exc:  # noqa: BLE001 - report any import-time failure of a recipe file
        return {"return": 1,
                "error": f"can't load Python module code (path={i['path']}, name={i['name']}, err={exc})"}
    return {"return": 0, "code": module, "path": path, "code_uid": ""}


def load_module(cmind: Any, task_path: str, sub_module_name: str) -> dict[str, Any]:
    """Import ``<task_path>/<sub_module_name>`` if that file exists (``sub_module_obj`` None otherwise)."""
    path = os.path.join(task_path, sub_module_name)
    module = _import_file(sub_module_name, path) if os.path.isfile(path) else None
    return {"return": 0, "sub_module_obj": module, "sub_module_path": path}


def call_internal_module(module_self: Any, path_to_current_module: str, module_name: str,
                         module_func: str, i: dict[str, Any]) -> dict[str, Any]:
    """Import ``<dir of path_to_current_module>/<module_name>.py`` and call ``func(i)``.

    ``i['self_module']`` is set to ``module_self``.
    """
    directory = os.path.dirname(path_to_current_module)
    r = load_python_module({"path": directory, "name": module_name})
    if r["return"] > 0:
        return r
    func = getattr(r["code"], module_func, None)
    if func is None:
        return {"return": 1, "error": f"function {module_func} not found in {r['path']}"}
    i["self_module"] = module_self
    result: dict[str, Any] = func(i)
    return result


def _meta_of(found: Any) -> dict[str, Any]:
    meta = found.get("meta") if isinstance(found, dict) else getattr(found, "meta", None)
    return dict(meta or {})


def _find_base(base: str, automation: str, cmind: Any) -> dict[str, Any]:
    auto, sep, artifact = base.partition("::")
    if not sep:
        auto, artifact = automation, base
    r: dict[str, Any] = cmind.access({"action": "find", "automation": auto, "artifact": artifact,
                                      "ignore_inheritance": True})
    if r["return"] > 0:
        return r
    found = r.get("list", [])
    if len(found) != 1:
        what = "not found" if not found else "is ambiguous"
        return {"return": 1, "error": f"base artifact {artifact} {what} in {auto}"}
    return {"return": 0, "meta": _meta_of(found[0])}


def process_meta_for_inheritance(i: dict[str, Any]) -> dict[str, Any]:
    """Resolve ``_base`` (``automation::artifact`` or ``artifact``) in ``i['meta']``.

    Keys: ``automation``, ``meta``, ``cmind`` (object with ``access``), ``base_recursion``.
    The base (resolved recursively; depth > 10 gives 8) is merged under the own meta with
    ``append_lists``; ``_base`` is absent from the returned ``meta``.
    """
    meta = i["meta"]
    base = meta.get("_base")
    if not base:
        return {"return": 0, "meta": meta}
    depth = int(i.get("base_recursion", 0)) + 1
    if depth > _MAX_BASE_DEPTH:
        return {"return": 8, "error": f"inheritance of {base} is deeper than {_MAX_BASE_DEPTH}"}
    r = _find_base(base, i.get("automation", ""), i["cmind"])
    if r["return"] > 0:
        return r
    r = process_meta_for_inheritance({"automation": i.get("automation", ""), "meta": r["meta"],
                                      "cmind": i["cmind"], "base_recursion": depth})
    if r["return"] > 0:
        return r
    import copy

    merged = copy.deepcopy(r["meta"])
    own = {k: v for k, v in meta.items() if k != "_base"}
    merge_dicts({"dict1": merged, "dict2": own, "append_lists": True})
    return {"return": 0, "meta": merged}
