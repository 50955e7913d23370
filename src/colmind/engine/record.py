"""The run record: ``cm-run-record.json`` written by every top-level run (request, resolved plan
with script UIDs, variations, versions, cache keys, new_env, timings, colmind version).
"""

from __future__ import annotations

import os
import time

from colmind.engine.jsondump import dumps
from colmind.engine.plan import Node
from colmind.store import atomic

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

RECORD_FILE = "cm-run-record.json"
_SKIP_INPUT = ("env", "state", "const", "const_state", "add_deps_recursive", "parsed_automation",
               "parsed_artifact", "parsed_artifacts", "local_env")


def request_of(i: dict[str, Any], env_in: dict[str, Any]) -> dict[str, Any]:
    """The JSON-safe part of the input, plus the env the caller passed."""
    req = {k: v for k, v in i.items() if k not in _SKIP_INPUT and _jsonable(v)}
    req["env"] = {k: v for k, v in env_in.items() if _jsonable(v)}
    return req


def _jsonable(value: Any) -> bool:
    try:
        dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def record_path(i: dict[str, Any], workdir: str) -> str:
    target = i.get("record")
    if isinstance(target, str) and target:
        path = os.path.abspath(target)
        return os.path.join(path, RECORD_FILE) if os.path.isdir(path) else path
    return os.path.join(workdir, RECORD_FILE)


def write(path: str, request: dict[str, Any], root: Node | None, started: float, result: dict[str, Any]) -> None:
    """Write the record atomically."""
    from colmind.version import __version__

    data = {
        "colmind_version": __version__,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "seconds": round(time.time() - started, 3),
        "return": result.get("return", 0),
        "error": result.get("error", ""),
        "request": request,
        "plan": root.to_dict() if root is not None else None,
        "new_env": result.get("new_env", {}),
    }
    # atomic but not fsync'ed: the record reports a run, it must not cost more than a cached run
    atomic.write_report(path, dumps(data, indent=2, sort_keys=True, default=str) + "\n")
